"""Writes of the parties app: orderers (発注者) registered by the surety's staff.

Orderers are shared by every surety on the portal (one 徳島市上下水道事業管理者
for all three), so any surety's administrator or branch manager may keep them
up to date; every change is in the audit chain with who made it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from esurety.audit.services import audit_record
from esurety.core.errors import DomainError, RuleViolation
from esurety.core.kinds import ELECTRONIC_KINDS, GuaranteeKind, WorkCategory
from esurety.guarantees.services.authority import NotPermitted
from esurety.parties.models import STAFF_ROLES, ElectronicAdoption, Orderer, OrdererDepartment, Role, User

ORDERER_MANAGER_ROLES = frozenset({Role.SURETY_ADMIN, Role.BRANCH_MANAGER})
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
    departments: tuple[DepartmentInput, ...] = field(default_factory=tuple)


def can_manage_orderers(user: User) -> bool:
    return (
        user.is_active
        and user.surety_id is not None
        and user.role in STAFF_ROLES
        and user.role in ORDERER_MANAGER_ROLES
    )


def require_orderer_manager(by: User) -> None:
    if not can_manage_orderers(by):
        raise NotPermitted("発注者の登録・変更は、管理者・支店長のみ行えます。")


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
    names: set[str] = set()
    for d in data.departments:
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
    wanted = {d.name.strip(): d for d in data.departments}
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
    _write(orderer, data)
    audit_record(
        actor=by, action="orderer.create", obj=orderer, at=now, after=orderer_snapshot(orderer), surety_id=by.surety_id
    )
    return orderer


@transaction.atomic
def orderer_update(*, orderer: Orderer, by: User, data: OrdererInput, now: dt.datetime) -> Orderer:
    require_orderer_manager(by)
    target = Orderer.objects.select_for_update().get(pk=orderer.pk)
    violations = _validate(data, orderer=target)
    if violations:
        raise DomainError("入力に誤りがあります。", violations)
    before = orderer_snapshot(target)
    _write(target, data)
    audit_record(
        actor=by,
        action="orderer.update",
        obj=target,
        at=now,
        before=before,
        after=orderer_snapshot(target),
        surety_id=by.surety_id,
    )
    return target
