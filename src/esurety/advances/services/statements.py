"""前払金使途内訳明細書: draft → 提出済 → 確認済 → 承認済 (or 差戻し), then 使途変更 as a new version.

The contractor writes and submits; a member of the surety's staff checks it
(確認済); another, an approver, accepts it (four eyes: never the one who
checked it). Accepting a 使途変更 marks the version before it 変更前の版; every
version stays readable. An accepted version's lines are never edited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Max, Q

from esurety.advances import ledger
from esurety.advances.kinds import (
    EDITABLE_STATEMENT_STATUSES,
    OPEN_STATEMENT_STATUSES,
    AccountStatus,
    StatementStatus,
)
from esurety.advances.models import AdvanceAccount, OverheadAllowance, ProofDocument, UseStatement, UseStatementLine
from esurety.advances.rules import (
    CHANGE_REASON_MAX,
    REASON_MAX,
    LineInput,
    OverheadRule,
    StatementFacts,
    check_lines,
    check_reason,
    check_statement,
)
from esurety.advances.services.common import lock_account, notify, raise_if, statement_snapshot, wareki
from esurety.audit.services import audit_record
from esurety.core.clock import business_date
from esurety.core.errors import InvalidStateError, RuleViolation
from esurety.core.money import format_yen
from esurety.guarantees.models import Guarantee, GuaranteeStatus
from esurety.parties.models import User
from esurety.parties.permissions import require_contractor_user, require_second_pair_of_eyes, require_staff


def lock_statement(statement: UseStatement) -> tuple[AdvanceAccount, UseStatement]:
    # The account first, as every advance write does: a statement accepted while a request is
    # checked against its lines must not slip between the two.
    acc = lock_account(statement.account_id)
    return acc, UseStatement.objects.select_for_update().get(pk=statement.pk)


def require_statement_status(st: UseStatement, *allowed: str) -> None:
    if st.status not in allowed:
        labels = "・".join(StatementStatus(s).label for s in allowed)
        raise InvalidStateError(
            f"この明細書（第{st.version}版）は「{st.get_status_display()}」のため、この操作はできません"
            f"（{labels}の明細書のみ）。"
        )


def _require_open_account(acc: AdvanceAccount) -> None:
    g = acc.guarantee
    if acc.status == AccountStatus.CLOSED:
        raise InvalidStateError("この口座は閉鎖されています。")
    if g.status != GuaranteeStatus.ACTIVE:
        raise InvalidStateError(f"保証契約 {g.number} は「{g.get_status_display()}」です。")


def overhead_rule(g: Guarantee) -> OverheadRule | None:
    """The orderer's allowance in force at the works' contract date, if any."""
    row = (
        OverheadAllowance.objects.filter(
            Q(effective_until__isnull=True) | Q(effective_until__gte=g.contract_date),
            orderer_id=g.orderer_id,
            effective_from__lte=g.contract_date,
        )
        .order_by("-effective_from")
        .first()
    )
    if row is None:
        return None
    return OverheadRule(
        numerator=row.ratio_numerator, denominator=row.ratio_denominator, contract_article=row.contract_article
    )


def statement_facts(st: UseStatement, g: Guarantee) -> StatementFacts:
    """Everything the rules need about one version, against the guarantee as it is now."""
    lines = [
        LineInput(
            category=x.category,
            payee_name=x.payee_name,
            amount=x.amount,
            planned_on=x.planned_on,
            method=x.method,
            line_no=x.line_no,
        )
        for x in st.lines.order_by("position")
    ]
    proofs: dict[int, set[str]] = {}
    for line_no, kind in ProofDocument.objects.filter(statement=st).values_list("line_no", "kind"):
        proofs.setdefault(line_no, set()).add(kind)
    return StatementFacts(
        kind=g.kind,
        advance_amount=g.guaranteed_amount,
        orderer_name=g.orderer.name,
        contract_date=g.contract_date,
        overhead=overhead_rule(g),
        lines=lines,
        proofs={k: frozenset(v) for k, v in proofs.items()},
        committed=ledger.commitments(st.account_id),
    )


def _numbered(acc: AdvanceAccount, lines: Sequence[LineInput]) -> list[LineInput]:
    """Normalised lines with their numbers: kept where they name a line of this account, new ones after."""
    lines = [line.normalized() for line in lines]
    known = set(UseStatementLine.objects.filter(statement__account=acc).values_list("line_no", flat=True))
    violations = check_lines(lines)
    for i, line in enumerate(lines):
        if line.line_no is not None and line.line_no not in known:
            violations.append(RuleViolation(f"lines.{i}.line_no", "この行番号の行はありません。"))
    raise_if(violations)
    next_no = max(known | {0}) + 1
    out: list[LineInput] = []
    for line in lines:
        if line.line_no is None:
            line = LineInput(**{**line.__dict__, "line_no": next_no})
            next_no += 1
        out.append(line)
    return out


def _write_lines(st: UseStatement, lines: Sequence[LineInput]) -> None:
    st.lines.all().delete()
    rows = []
    for i, line in enumerate(lines):
        # Numbered by _numbered, dated as check_lines requires.
        assert line.line_no is not None and line.planned_on is not None
        rows.append(
            UseStatementLine(
                statement=st,
                line_no=line.line_no,
                position=i + 1,
                category=line.category,
                payee_name=line.payee_name,
                amount=line.amount,
                planned_on=line.planned_on,
                method=line.method,
            )
        )
    UseStatementLine.objects.bulk_create(rows)
    # Proofs of lines no longer in the draft go with them (the files stay: an earlier version may share them).
    st.proofs.exclude(line_no__in=[row.line_no for row in rows]).delete()


@transaction.atomic
def use_statement_create(
    *, account: AdvanceAccount, by: User, lines: Sequence[LineInput], now: dt.datetime
) -> UseStatement:
    """Version 1, as a draft (下書き). The rules that concern the whole statement wait for submission."""
    acc = lock_account(account)
    g = acc.guarantee
    require_contractor_user(by, g.contractor)
    _require_open_account(acc)
    if acc.statements.exists():
        raise InvalidStateError("この口座の明細書は作成済みです。内容を変えるには使途変更をしてください。")
    numbered = _numbered(acc, lines)
    st = UseStatement.objects.create(account=acc, version=1, advance_amount=g.guaranteed_amount, created_by=by)
    _write_lines(st, numbered)
    audit_record(
        actor=by, action="use_statement.create", obj=st, at=now, after=statement_snapshot(st), surety_id=g.surety_id
    )
    return st


@transaction.atomic
def use_statement_update_draft(
    *, statement: UseStatement, by: User, lines: Sequence[LineInput], now: dt.datetime, change_reason: str | None = None
) -> UseStatement:
    """Replace the lines of a draft or of a returned version (差戻し), before (re)submitting it."""
    acc, st = lock_statement(statement)
    g = acc.guarantee
    require_contractor_user(by, g.contractor)
    require_statement_status(st, *EDITABLE_STATEMENT_STATUSES)
    before = statement_snapshot(st)
    numbered = _numbered(acc, lines)
    if change_reason is not None and st.version > 1:
        raise_if(check_reason(change_reason, label="使途変更の理由", field="change_reason", limit=CHANGE_REASON_MAX))
        st.change_reason = change_reason.strip()
    st.advance_amount = g.guaranteed_amount
    st.save(update_fields=["advance_amount", "change_reason", "updated_at"])
    _write_lines(st, numbered)
    audit_record(
        actor=by,
        action="use_statement.update",
        obj=st,
        at=now,
        before=before,
        after=statement_snapshot(st),
        surety_id=g.surety_id,
    )
    return st


@transaction.atomic
def use_statement_submit(*, statement: UseStatement, by: User, now: dt.datetime) -> UseStatement:
    """下書き / 差戻し → 提出済, once every rule holds against the guarantee as it is now."""
    acc, st = lock_statement(statement)
    g = acc.guarantee
    require_contractor_user(by, g.contractor)
    require_statement_status(st, *EDITABLE_STATEMENT_STATUSES)
    _require_open_account(acc)
    violations = check_statement(statement_facts(st, g))
    if st.version > 1:
        violations += check_reason(st.change_reason, label="使途変更の理由", field="change_reason")
    raise_if(violations, "明細書の内容に誤りがあります。")
    before = statement_snapshot(st)
    st.status = StatementStatus.SUBMITTED
    st.advance_amount = g.guaranteed_amount
    st.submitted_by = by
    st.submitted_at = now
    st.reviewed_by = None
    st.reviewed_at = None
    st.save(
        update_fields=[
            "status",
            "advance_amount",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "updated_at",
        ]
    )
    audit_record(
        actor=by,
        action="use_statement.submit",
        obj=st,
        at=now,
        before=before,
        after=statement_snapshot(st),
        surety_id=g.surety_id,
    )
    return st


def _check_against_now(st: UseStatement, g: Guarantee) -> None:
    """The surety checks the statement against the guarantee as it is today, not as it was submitted."""
    if st.advance_amount != g.guaranteed_amount:
        raise InvalidStateError(
            f"提出後に保証金額が{format_yen(st.advance_amount)}円から{format_yen(g.guaranteed_amount)}円に"
            "変更されました。差し戻して、内訳を合わせてもらってください。"
        )
    raise_if(check_statement(statement_facts(st, g)), "明細書の内容が現在の保証契約・払出に対して誤りがあります。")


@transaction.atomic
def use_statement_review(*, statement: UseStatement, by: User, now: dt.datetime) -> UseStatement:
    """提出済 → 確認済: a member of the branch's staff has checked it; an approver accepts it next."""
    acc, st = lock_statement(statement)
    g = acc.guarantee
    require_staff(by, surety=g.surety, branch=g.branch)
    require_statement_status(st, StatementStatus.SUBMITTED)
    _require_open_account(acc)
    _check_against_now(st, g)
    st.status = StatementStatus.REVIEWED
    st.reviewed_by = by
    st.reviewed_at = now
    st.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
    audit_record(
        actor=by,
        action="use_statement.review",
        obj=st,
        at=now,
        before={"status": StatementStatus.SUBMITTED},
        after={"status": st.status, "version": st.version},
        surety_id=g.surety_id,
    )
    return st


@transaction.atomic
def use_statement_accept(*, statement: UseStatement, by: User, now: dt.datetime) -> UseStatement:
    """確認済 → 承認済 by an approver other than the one who checked it; the version before is superseded.

    The contractor and the bank that holds the account are told (the surety forwards the statement).
    """
    acc, st = lock_statement(statement)
    g = acc.guarantee
    require_staff(by, surety=g.surety, branch=g.branch)
    require_statement_status(st, StatementStatus.REVIEWED)
    assert st.reviewed_by_id is not None  # set with 確認済
    require_second_pair_of_eyes(by, surety=g.surety, branch=g.branch, checked_by_id=st.reviewed_by_id)
    _require_open_account(acc)
    _check_against_now(st, g)
    previous = UseStatement.objects.select_for_update().filter(account=acc, status=StatementStatus.ACCEPTED).first()
    if previous is not None:
        # Before the new one is accepted: one accepted version per account (a database constraint).
        previous.status = StatementStatus.SUPERSEDED
        previous.superseded_at = now
        previous.save(update_fields=["status", "superseded_at", "updated_at"])
        audit_record(
            actor=by,
            action="use_statement.supersede",
            obj=previous,
            at=now,
            before={"status": StatementStatus.ACCEPTED, "version": previous.version},
            after={"status": previous.status, "by_version": st.version},
            surety_id=g.surety_id,
        )
    st.status = StatementStatus.ACCEPTED
    st.decided_by = by
    st.decided_at = now
    st.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit_record(
        actor=by,
        action="use_statement.accept",
        obj=st,
        at=now,
        before={"status": StatementStatus.REVIEWED},
        after=statement_snapshot(st),
        surety_id=g.surety_id,
    )
    notify(
        account=acc,
        template="advance_statement_accepted",
        context={
            "version": st.version,
            "is_change": st.version > 1,
            "advance_amount": format_yen(st.advance_amount),
            "accepted_on": wareki(business_date(now)),
        },
        now=now,
        obj=st,
        bank=True,
    )
    return st


@transaction.atomic
def use_statement_return(*, statement: UseStatement, by: User, reason: str, now: dt.datetime) -> UseStatement:
    """提出済 / 確認済 → 差戻し, with a reason the contractor sees; the contractor corrects and submits again."""
    acc, st = lock_statement(statement)
    g = acc.guarantee
    require_staff(by, surety=g.surety, branch=g.branch)
    require_statement_status(st, StatementStatus.SUBMITTED, StatementStatus.REVIEWED)
    raise_if(check_reason(reason, label="差戻しの理由", limit=REASON_MAX))
    before = {"status": st.status, "version": st.version}
    st.status = StatementStatus.RETURNED
    st.decided_by = by
    st.decided_at = now
    st.return_reason = reason.strip()
    st.save(update_fields=["status", "decided_by", "decided_at", "return_reason", "updated_at"])
    audit_record(
        actor=by,
        action="use_statement.return",
        obj=st,
        at=now,
        before=before,
        after={"status": st.status, "version": st.version, "reason": st.return_reason},
        surety_id=g.surety_id,
    )
    notify(
        account=acc,
        template="advance_statement_returned",
        context={"version": st.version, "reason": st.return_reason, "returned_on": wareki(business_date(now))},
        now=now,
        obj=st,
    )
    return st


@transaction.atomic
def use_statement_change(*, account: AdvanceAccount, by: User, reason: str, now: dt.datetime) -> UseStatement:
    """使途変更: a new draft version copied from the accepted one (lines, their numbers and proofs)."""
    acc = lock_account(account)
    g = acc.guarantee
    require_contractor_user(by, g.contractor)
    _require_open_account(acc)
    current = acc.statements.filter(status=StatementStatus.ACCEPTED).first()
    if current is None:
        raise InvalidStateError("承認済の明細書がありません。使途変更は承認後に行えます。")
    if acc.statements.filter(status__in=OPEN_STATEMENT_STATUSES).exists():
        raise InvalidStateError("作成中または審査中の明細書があります。そちらを提出・修正してください。")
    raise_if(check_reason(reason, label="使途変更の理由", field="change_reason", limit=CHANGE_REASON_MAX))
    version = (acc.statements.aggregate(v=Max("version"))["v"] or 0) + 1
    st = UseStatement.objects.create(
        account=acc,
        version=version,
        advance_amount=g.guaranteed_amount,
        change_reason=reason.strip(),
        created_by=by,
    )
    UseStatementLine.objects.bulk_create(
        UseStatementLine(
            statement=st,
            line_no=x.line_no,
            position=x.position,
            category=x.category,
            payee_name=x.payee_name,
            amount=x.amount,
            planned_on=x.planned_on,
            method=x.method,
        )
        for x in current.lines.all()
    )
    # The files are shared, not copied: the earlier version keeps its own rows.
    ProofDocument.objects.bulk_create(
        ProofDocument(
            statement=st,
            line_no=p.line_no,
            kind=p.kind,
            file=p.file.name,
            original_name=p.original_name,
            content_type=p.content_type,
            size=p.size,
            sha256=p.sha256,
            uploaded_by_id=p.uploaded_by_id,
            uploaded_at=p.uploaded_at,
        )
        for p in current.proofs.all()
    )
    audit_record(
        actor=by,
        action="use_statement.change",
        obj=st,
        at=now,
        after={**statement_snapshot(st), "from_version": current.version, "reason": st.change_reason},
        surety_id=g.surety_id,
    )
    return st
