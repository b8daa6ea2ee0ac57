"""The audit entries of the advance money (and of claims) belong to the guarantee's branch: its branch
staff read them in the office's 監査ログ, another branch's staff do not."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.db import connection

from esurety.advances import services as advances
from esurety.audit.models import AuditEntry
from esurety.audit.services import audit_verify
from esurety.guarantees.audit_log import audit_entries_for_staff
from esurety.parties.models import Role, User
from tests.claims.helpers import file_claim, receive
from tests.factories import (
    ADVANCE_NOW,
    PAYEE,
    AdvanceWorld,
    World,
    make_user,
    ready_account,
    request,
)

# Every kind of object the advances and claims apps write entries about.
ADVANCE_TYPES = {"AdvanceAccount", "UseStatement", "ProofDocument", "Deposit", "Withdrawal"}


def _visible(user: User) -> set[tuple[str, str]]:
    return set(audit_entries_for_staff(user=user).values_list("object_type", "action"))


def _advance_history(aw: AdvanceWorld) -> None:
    """A statement with proofs (contractor), a deposit (bank), requests one by one and in bulk
    (contractor) and a payment (bank): none of them by the branch's staff."""
    paid = request(aw, line_no=1, amount=1_000_000)
    advances.withdrawal_pay(withdrawal=paid, by=aw.bank_user, paid_on=ADVANCE_NOW.date(), now=ADVANCE_NOW)
    advances.withdrawals_request_bulk(
        by=aw.world.contractor_user,
        items=[
            advances.WithdrawalInput(
                account_id=aw.account.pk, line_no=1, amount=500_000, desired_on=ADVANCE_NOW.date(), payee=PAYEE
            )
        ],
        now=ADVANCE_NOW,
    )


def _claim(aw: AdvanceWorld) -> None:
    receive(aw.world, aw.guarantee)
    file_claim(aw.world, aw.guarantee)


def test_branch_staff_read_the_advance_and_claim_entries_of_their_branch_only(world: World) -> None:
    aw = ready_account(world)
    _advance_history(aw)
    _claim(aw)  # by the orderer
    ours = make_user("branch-clerk", surety=world.surety, branch=world.branch, role=Role.CLERK)
    theirs = aw.branch_clerk  # 徳島支店: not the guarantee's branch

    written = set(AuditEntry.objects.values_list("object_type", "action"))
    assert ADVANCE_TYPES | {"Claim"} <= {t for t, _ in written}
    assert {("Deposit", "advance_deposit.record"), ("Withdrawal", "withdrawal.pay"), ("Claim", "claim.file")} <= written

    # The head office and the guarantee's branch read the whole history; the other branch none of it.
    assert _visible(world.clerk) >= written
    assert _visible(ours) >= written
    assert not {t for t, _ in _visible(theirs)} & (ADVANCE_TYPES | {"Claim", "Guarantee"})
    for object_type in ADVANCE_TYPES | {"Claim"}:
        branches = set(AuditEntry.objects.filter(object_type=object_type).values_list("branch_id_scope", flat=True))
        assert branches == {aw.guarantee.branch_id}, object_type


def test_entries_written_before_get_their_branch_back(world: World) -> None:
    aw = ready_account(world)
    _advance_history(aw)
    # A proof taken off a draft is deleted: its entries keep their branch all the same.
    draft = advances.use_statement_change(
        account=aw.account, by=world.contractor_user, reason="外注先の変更", now=ADVANCE_NOW
    )
    removed = draft.proofs.first()
    assert removed is not None
    advances.proof_remove(proof=removed, by=world.contractor_user, now=ADVANCE_NOW)
    _claim(aw)

    advance_rows = AuditEntry.objects.filter(object_type__in=ADVANCE_TYPES)
    assert set(advance_rows.values_list("branch_id_scope", flat=True)) == {aw.guarantee.branch_id}
    before = dict(AuditEntry.objects.values_list("pk", "branch_id_scope"))
    # As the entries of the advances app were written before the fix: no branch (an account had it).
    advance_rows.exclude(object_type="AdvanceAccount").update(branch_id_scope=None)
    migration = importlib.import_module("esurety.advances.migrations.0003_audit_branch_scope")
    migration.backfill(apps, connection.schema_editor())
    assert dict(AuditEntry.objects.values_list("pk", "branch_id_scope")) == before
    assert audit_verify() is None
