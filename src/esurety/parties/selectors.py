"""Reads of the parties app: who keeps an orderer's contact data, who hears of its changes, its history;
the deposit banks and their people; the orderers' electronic delivery as the Q&A publishes it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from esurety.audit.models import AuditEntry
from esurety.core.kinds import GuaranteeKind, WorkCategory, kind_full_name
from esurety.parties.models import (
    DepositBank,
    DepositBankBranch,
    ElectronicAdoption,
    Orderer,
    Role,
    SuretyBankContract,
    User,
)


def orderer_has_admin(orderer: Orderer) -> bool:
    """Whether the orderer has its own active 管理者: from then on it manages its people, tokens
    and the departments its notices go to itself."""
    return User.objects.filter(orderer=orderer, role=Role.ORG_ADMIN, is_active=True).exists()


def orderer_admins(orderer: Orderer) -> QuerySet[User]:
    """The orderer's own active 管理者 (people, not API tokens' system users)."""
    return User.objects.filter(orderer=orderer, role=Role.ORG_ADMIN, is_active=True, api_token__isnull=True)


def surety_admins_serving(orderer: Orderer) -> QuerySet[User]:
    """The active 管理者 of every surety that has guarantees for the orderer: their key notices
    and mails go to the orderer's departments."""
    return User.objects.filter(
        role=Role.SURETY_ADMIN,
        is_active=True,
        api_token__isnull=True,
        surety__guarantees__orderer=orderer,
    ).distinct()


def orderer_history(*, orderer: Orderer) -> QuerySet[AuditEntry]:
    """Every change of the orderer's data, newest first, whoever made it (any surety, the orderer).

    Orderers are shared by the sureties, so their history is too: the caller
    only has to be allowed to see the orderer.
    """
    return (
        AuditEntry.objects.filter(object_type=Orderer.__name__, object_id=str(orderer.pk))
        .select_related("actor", "actor__surety", "actor__orderer")
        .order_by("-at", "-id")
    )


# ---------------------------------------------------------------------------
# Deposit banks


def bank_has_admin(bank: DepositBank) -> bool:
    """Whether the bank has its own active 管理者: from then on it invites its people itself."""
    return User.objects.filter(deposit_bank=bank, role=Role.ORG_ADMIN, is_active=True).exists()


def deposit_banks_for_staff(*, user: User, on: dt.date) -> QuerySet[DepositBank]:
    """Every registered bank (they are shared by the sureties), each flagged ``contracted`` when the
    user's surety holds a 預託契約 with it on ``on``, with its counts of branches and people."""
    contract = SuretyBankContract.objects.filter(
        Q(effective_until__isnull=True) | Q(effective_until__gte=on),
        bank=OuterRef("pk"),
        surety_id=user.surety_id,
        effective_from__lte=on,
    )
    return DepositBank.objects.annotate(
        contracted=Exists(contract),
        branch_count=Count("branches", distinct=True),
        user_count=Count("users", filter=Q(users__is_active=True, users__api_token__isnull=True), distinct=True),
    ).order_by("code")


def surety_has_bank_contract(*, surety_id: int | None, bank: DepositBank) -> bool:
    """Any 預託契約 (past, present or future) of this surety with the bank."""
    return surety_id is not None and SuretyBankContract.objects.filter(surety_id=surety_id, bank=bank).exists()


def bank_people(bank: DepositBank) -> QuerySet[User]:
    """The bank's people (not its API tokens' system users), active first."""
    return (
        User.objects.filter(deposit_bank=bank, api_token__isnull=True)
        .select_related("bank_branch")
        .order_by("-is_active", "-role", "bank_branch__code", "date_joined", "id")
    )


def bank_branches(bank_id: int | None) -> QuerySet[DepositBankBranch]:
    return DepositBankBranch.objects.filter(bank_id=bank_id).order_by("code")


@dataclass(frozen=True)
class AdoptionRow:
    """One orderer's electronic delivery for one 業務区分 over one range of contract dates."""

    orderer_name: str
    work_category_label: str
    kind_labels: tuple[str, ...]
    effective_from: dt.date
    effective_until: dt.date | None


def electronic_adoptions_public(*, name: str = "", limit: int = 100) -> tuple[list[AdoptionRow], bool]:
    """Which orderers accept electronic certificates for what, as the Q&A (よくある質問) publishes it.

    Public: orderers announce the contracts they accept electronically (the leaflet prints
    徳島市上下水道局's); nothing of their people, departments or guarantees is read. At most ``limit``
    orderers, by name (部分一致 on ``name``); the flag says more matched.
    """
    orderers = Orderer.objects.filter(Exists(ElectronicAdoption.objects.filter(orderer=OuterRef("pk"))))
    if name:
        orderers = orderers.filter(name__icontains=name)
    ids = list(orderers.order_by("name").values_list("pk", flat=True)[: limit + 1])
    more = len(ids) > limit
    # Orderer names are unique: the name keys the rows.
    kinds: dict[tuple[str, str, dt.date, dt.date | None], list[str]] = {}
    for a in ElectronicAdoption.objects.filter(orderer_id__in=ids[:limit]).select_related("orderer"):
        key = (a.orderer.name, a.work_category, a.effective_from, a.effective_until)
        kinds.setdefault(key, []).append(a.kind)
    # As the choices list them: 工事 before コンサル, 前払 before 中間前払 before 契約.
    categories, kind_order = list(WorkCategory.values), list(GuaranteeKind.values)
    return [
        AdoptionRow(
            orderer_name=orderer_name,
            work_category_label=WorkCategory(category).label,
            kind_labels=tuple(kind_full_name(k) for k in sorted(ks, key=kind_order.index)),
            effective_from=start,
            effective_until=until,
        )
        for (orderer_name, category, start, until), ks in sorted(
            kinds.items(), key=lambda item: (item[0][0], categories.index(item[0][1]), item[0][2])
        )
    ], more
