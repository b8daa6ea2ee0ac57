"""Writes of the parties app: orderers (発注者) registered by the surety's staff.

Orderers are shared by every surety on the portal (one 徳島市上下水道事業管理者
for all three), so any surety's administrator or branch manager may keep them
up to date; every change is in the audit chain with who made it, and every
surety's staff and the orderer read that history.

Who owns the departments an orderer's notices go to (部署・メールアドレス):
the orderer. Once it has its own active 管理者, only that 管理者 changes them
(保証確認サービス → 組織情報); until then the sureties' 管理者・支店長 keep them
on its behalf. A change re-routes every surety's mails to the orderer, so it is
mailed to the orderer's 管理者 and to the 管理者 of every surety that has
guarantees for the orderer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from esurety.audit.changes import audited_change, audited_create
from esurety.audit.services import audit_record
from esurety.core.clock import TOKYO
from esurety.core.errors import DomainError, NotPermitted, RuleViolation
from esurety.core.kinds import ELECTRONIC_KINDS, GuaranteeKind, WorkCategory
from esurety.notifications.services import outbox_enqueue
from esurety.parties.models import ElectronicAdoption, Orderer, OrdererDepartment, User
from esurety.parties.permissions import (
    can_edit_orderer_departments,
    require_orderer_manager,
)
from esurety.parties.selectors import orderer_admins, surety_admins_serving

SUBJECT_FIELDS = {
    "kind": "前払金保証",
    "number": "2070004426",
    "work_name": "〇〇道路改良工事",
    "contractor": "株式会社〇〇建設",
}


@dataclass(frozen=True)
class AdoptionInput:
    work_category: str
    kind: str
    effective_from: dt.date
    effective_until: dt.date | None = None


@dataclass(frozen=True)
class DepartmentInput:
    name: str
    email: str
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrdererInput:
    name: str
    organisation_name: str = ""
    postal_code: str = ""
    address: str = ""
    notice_subject_template: str = ""
    adoptions: tuple[AdoptionInput, ...] = field(default_factory=tuple)
    # None: leave the departments as they are (the orderer's own 管理者 keeps them).
    departments: tuple[DepartmentInput, ...] | None = field(default_factory=tuple)


DEPARTMENTS_OWNED_MESSAGE = (
    "{name}には管理者がいるため、部署と通知先（メールアドレス）は{name}の管理者が"
    "保証確認サービスの「組織情報」で変更します。変更は発注者の管理者へご依頼ください。"
)


def orderer_snapshot(orderer: Orderer) -> dict[str, Any]:
    return {
        "name": orderer.name,
        "organisation_name": orderer.organisation_name,
        "postal_code": orderer.postal_code,
        "address": orderer.address,
        "notice_subject_template": orderer.notice_subject_template,
        "adoptions": [
            [
                a.work_category,
                a.kind,
                a.effective_from.isoformat(),
                a.effective_until.isoformat() if a.effective_until else None,
            ]
            for a in orderer.adoptions.order_by("work_category", "kind", "effective_from")
        ],
        "departments": [[d.name, d.email, d.handles_kinds] for d in orderer.departments.order_by("name")],
    }


def _validate(data: OrdererInput, *, orderer: Orderer | None) -> list[RuleViolation]:
    out: list[RuleViolation] = []
    name = data.name.strip()
    if not name:
        out.append(RuleViolation("name", "発注者名（被保証者）を入力してください。"))
    elif len(name) > 100:
        out.append(RuleViolation("name", "発注者名は100文字以内で入力してください。"))
    else:
        clash = Orderer.objects.filter(name=name)
        if orderer is not None:
            clash = clash.exclude(pk=orderer.pk)
        if clash.exists():
            out.append(RuleViolation("name", "同じ名称の発注者が既に登録されています。"))
    for attr, label, limit in (
        ("organisation_name", "機関名", 100),
        ("postal_code", "郵便番号", 8),
        ("address", "所在地", 200),
        ("notice_subject_template", "メールの件名", 200),
    ):
        if len(getattr(data, attr).strip()) > limit:
            out.append(RuleViolation(attr, f"{label}は{limit}文字以内で入力してください。"))
    template = data.notice_subject_template.strip()
    if template:
        try:
            template.format(**SUBJECT_FIELDS)
        except (KeyError, IndexError, ValueError):
            out.append(
                RuleViolation(
                    "notice_subject_template",
                    "件名に使える差し込みは {kind} {number} {work_name} {contractor} だけです"
                    "（波括弧の対応も確認してください）。",
                )
            )
    seen: set[tuple[str, str, dt.date]] = set()
    for a in data.adoptions:
        if a.work_category not in WorkCategory.values or a.kind not in ELECTRONIC_KINDS:
            out.append(
                RuleViolation(
                    "adoptions", "電子交付の対象は工事・建設コンサルタント業務の前払・中間前払・契約保証です。"
                )
            )
        if a.effective_until is not None and a.effective_until < a.effective_from:
            out.append(
                RuleViolation("adoption_until", "対象となる契約締結日の終わりは、始まり以降の日付にしてください。")
            )
        key = (a.work_category, a.kind, a.effective_from)
        if key in seen:
            out.append(RuleViolation("adoptions", "同じ業務区分・区分・開始日の行が重複しています。"))
        seen.add(key)
    if data.departments is not None:
        out += _validate_departments(data.departments)
    return out


def _validate_departments(departments: tuple[DepartmentInput, ...]) -> list[RuleViolation]:
    out: list[RuleViolation] = []
    names: set[str] = set()
    for d in departments:
        dept_name = d.name.strip()
        if not dept_name:
            out.append(RuleViolation("departments", "部署名を入力してください。"))
        elif len(dept_name) > 100:
            out.append(RuleViolation("departments", f"部署名「{dept_name[:20]}…」は100文字以内にしてください。"))
        elif dept_name in names:
            out.append(RuleViolation("departments", f"部署名「{dept_name}」が重複しています。"))
        names.add(dept_name)
        try:
            validate_email(d.email.strip())
        except ValidationError:
            out.append(RuleViolation("departments", f"部署「{dept_name}」のメールアドレスの形式が正しくありません。"))
        if any(k not in ELECTRONIC_KINDS for k in d.kinds):
            out.append(RuleViolation("departments", "部署が受け付ける区分は前払・中間前払・契約から選んでください。"))
    return out


def _write(orderer: Orderer, data: OrdererInput) -> None:
    orderer.name = data.name.strip()
    orderer.organisation_name = data.organisation_name.strip()
    orderer.postal_code = data.postal_code.strip()
    orderer.address = data.address.strip()
    template = data.notice_subject_template.strip()
    orderer.notice_subject_template = template or Orderer._meta.get_field("notice_subject_template").get_default()
    orderer.save()
    # The adoption scope is replaced as a whole: it is what the form shows, and the
    # audit entry keeps the rows before and after.
    orderer.adoptions.all().delete()
    ElectronicAdoption.objects.bulk_create(
        ElectronicAdoption(
            orderer=orderer,
            work_category=a.work_category,
            kind=a.kind,
            effective_from=a.effective_from,
            effective_until=a.effective_until,
        )
        for a in data.adoptions
    )
    if data.departments is not None:
        _write_departments(orderer, data.departments)


def _write_departments(orderer: Orderer, departments: tuple[DepartmentInput, ...]) -> None:
    wanted = {d.name.strip(): d for d in departments}
    orderer.departments.exclude(name__in=list(wanted)).delete()
    existing = {d.name: d for d in orderer.departments.all()}
    order = [k.value for k in GuaranteeKind if k.value in ELECTRONIC_KINDS]
    for dept_name, d in wanted.items():
        kinds = ",".join(k for k in order if k in d.kinds)
        row = existing.get(dept_name)
        if row is None:
            OrdererDepartment.objects.create(
                orderer=orderer, name=dept_name, email=d.email.strip(), handles_kinds=kinds
            )
        elif row.email != d.email.strip() or row.handles_kinds != kinds:
            row.email = d.email.strip()
            row.handles_kinds = kinds
            row.save(update_fields=["email", "handles_kinds", "updated_at"])


@transaction.atomic
def orderer_create(*, by: User, data: OrdererInput, now: dt.datetime) -> Orderer:
    require_orderer_manager(by)
    violations = _validate(data, orderer=None)
    if violations:
        raise DomainError("入力に誤りがあります。", violations)
    orderer = Orderer()
    # _write saves the orderer with its adoptions and departments; the entry follows.
    _write(orderer, data)
    return audited_create(
        orderer, by=by, now=now, action="orderer.create", snapshot=orderer_snapshot, surety_id=by.surety_id
    )


@transaction.atomic
def orderer_update(*, orderer: Orderer, by: User, data: OrdererInput, now: dt.datetime) -> Orderer:
    require_orderer_manager(by)
    target = Orderer.objects.select_for_update().get(pk=orderer.pk)
    before = orderer_snapshot(target)
    if data.departments is not None and _department_rows(data.departments) != sorted(before["departments"]):
        if not can_edit_orderer_departments(by, target):
            raise NotPermitted(DEPARTMENTS_OWNED_MESSAGE.format(name=target.name))
    violations = _validate(data, orderer=target)
    if violations:
        raise DomainError("入力に誤りがあります。", violations)
    audited_change(
        target,
        by=by,
        now=now,
        action="orderer.update",
        edit=lambda o: _write(o, data),
        snapshot=orderer_snapshot,
        surety_id=by.surety_id,
        before=before,
    )
    after = orderer_snapshot(target)
    _tell_of_department_change(orderer=target, by=by, before=before, after=after, now=now)
    return target


@transaction.atomic
def orderer_departments_update(
    *, orderer: Orderer, by: User, departments: tuple[DepartmentInput, ...], now: dt.datetime
) -> Orderer:
    """「部署と通知先」 of an orderer: by its own 管理者 (組織情報), or by a surety while it has none."""
    target = Orderer.objects.select_for_update().get(pk=orderer.pk)
    if not can_edit_orderer_departments(by, target):
        if by.orderer_id == target.pk or by.surety_id is None:
            raise NotPermitted("部署と通知先の変更は、管理者のみ行えます。")
        raise NotPermitted(DEPARTMENTS_OWNED_MESSAGE.format(name=target.name))
    violations = _validate_departments(departments)
    if violations:
        raise DomainError("入力に誤りがあります。", violations)
    before = orderer_snapshot(target)
    _write_departments(target, departments)
    after = orderer_snapshot(target)
    if after["departments"] == before["departments"]:
        return target  # nothing changed: no entry, no mail
    audit_record(
        actor=by,
        action="orderer.departments_update",
        obj=target,
        at=now,
        before={"departments": before["departments"]},
        after={"departments": after["departments"]},
        surety_id=by.surety_id,
    )
    _tell_of_department_change(orderer=target, by=by, before=before, after=after, now=now)
    return target


def _department_rows(departments: tuple[DepartmentInput, ...]) -> list[list[str]]:
    """DepartmentInput as orderer_snapshot writes departments, to tell whether a form changes them."""
    order = [k.value for k in GuaranteeKind if k.value in ELECTRONIC_KINDS]
    return sorted([d.name.strip(), d.email.strip(), ",".join(k for k in order if k in d.kinds)] for d in departments)


def _department_text(row: list[str] | None) -> str:
    if row is None:
        return "（なし）"
    kinds = "・".join(GuaranteeKind(k).label for k in row[2].split(",") if k in GuaranteeKind.values)
    return f"{row[1]}（{kinds or '受け付ける区分なし'}）"


def department_changes(before: list[list[str]], after: list[list[str]]) -> list[dict[str, str]]:
    """Per department name, what it was and what it is: 「工事担当課: a@x（前払） → b@y（前払）」."""
    old = {row[0]: row for row in before}
    new = {row[0]: row for row in after}
    return [
        {"name": name, "before": _department_text(old.get(name)), "after": _department_text(new.get(name))}
        for name in sorted({*old, *new})
        if old.get(name) != new.get(name)
    ]


def actor_organisation(user: User | None) -> str:
    """Whose change it was, as the other parties read it: the surety or the orderer by name."""
    if user is None:
        return "システム"
    if user.surety is not None:
        return user.surety.name
    if user.orderer is not None:
        return user.orderer.name
    return "運営者"


def _tell_of_department_change(
    *, orderer: Orderer, by: User, before: dict[str, Any], after: dict[str, Any], now: dt.datetime
) -> None:
    """Mail the change of where notices go to the orderer's 管理者 and every surety serving it.

    Queued in the outbox in the change's transaction (sent after commit by the
    worker); one message per person, so no organisation sees another's addresses.
    """
    changes = department_changes(before["departments"], after["departments"])
    if not changes:
        return
    context = {
        "orderer_name": orderer.name,
        "actor_organisation": actor_organisation(by),
        "actor_name": by.display_name or by.get_username(),
        "changed_at": now.astimezone(TOKYO).strftime("%Y年%m月%d日 %H:%M"),
        "changes": changes,
    }
    recipients = [(u, "/verify/organisation/") for u in orderer_admins(orderer)]
    recipients += [(u, f"/office/orderers/{orderer.pk}/") for u in surety_admins_serving(orderer)]
    for user, history_path in recipients:
        if user.pk == by.pk or not user.email:
            continue
        outbox_enqueue(
            template="orderer_departments_changed",
            to=[user.email],
            context={**context, "display_name": user.display_name or user.get_username(), "history_path": history_path},
            at=now,
            obj=orderer,
        )
