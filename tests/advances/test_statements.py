"""The use statement (前払金使途内訳明細書) through the services: states, four eyes, authority, 使途変更."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from esurety.advances import selectors
from esurety.advances import services as advances
from esurety.advances.kinds import StatementStatus
from esurety.advances.models import OverheadAllowance, ProofDocument, UseStatement
from esurety.audit.models import AuditEntry
from esurety.audit.services import audit_verify
from esurety.core.errors import DomainError, InvalidStateError, NotPermitted
from esurety.notifications.models import OutboxMessage
from tests.factories import (
    ADVANCE_NOW,
    PDF,
    AdvanceWorld,
    World,
    accept_statement,
    amend_amount,
    attach_required_proofs,
    deposit_advance,
    make_advance_world,
    make_user,
    request,
    standard_lines,
    submit_statement,
    use_line,
)

NOW = ADVANCE_NOW


@pytest.fixture
def aw(world: World) -> AdvanceWorld:
    return make_advance_world(world)


def actions(step: Callable[[], object]) -> list[str]:
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    step()
    return list(AuditEntry.objects.filter(id__gt=last).order_by("id").values_list("action", flat=True))


def fields(exc: pytest.ExceptionInfo[DomainError]) -> list[str]:
    return [v.field for v in exc.value.violations]


def test_statement_lifecycle_with_four_eyes(aw: AdvanceWorld) -> None:
    w = aw.world
    st = advances.use_statement_create(account=aw.account, by=w.contractor_user, lines=standard_lines(), now=NOW)
    assert (st.version, st.status, st.advance_amount) == (1, StatementStatus.DRAFT, 40_000_000)
    assert [line.line_no for line in st.lines.order_by("position")] == [1, 2, 3, 4]
    attach_required_proofs(aw, st)
    assert actions(lambda: advances.use_statement_submit(statement=st, by=w.contractor_user, now=NOW)) == [
        "use_statement.submit"
    ]
    # The surety's staff see it waiting; the bank does not see a statement before it is accepted.
    assert list(selectors.use_statement_queue_for_staff(user=w.clerk)) == [st]
    assert selectors.use_statement_for(user=aw.bank_user, pk=st.pk) is None

    # Accepting needs someone to have checked it first …
    with pytest.raises(InvalidStateError):
        advances.use_statement_accept(statement=st, by=w.approver, now=NOW)
    advances.use_statement_review(statement=st, by=w.approver, now=NOW)
    # … and the one who checked it cannot accept it (four eyes); a clerk cannot accept at all.
    with pytest.raises(NotPermitted, match="自分が確認した書類は承認できません"):
        advances.use_statement_accept(statement=st, by=w.approver, now=NOW)
    with pytest.raises(NotPermitted, match="承認の権限がありません"):
        advances.use_statement_accept(statement=st, by=w.clerk, now=NOW)
    second = aw.branch_clerk  # an approver, but of another branch
    with pytest.raises(NotPermitted, match="他の取次場所"):
        advances.use_statement_accept(statement=st, by=second, now=NOW)

    other_approver = make_user("ivan", surety=w.surety, role="APPROVER")
    before = OutboxMessage.objects.count()
    assert actions(lambda: advances.use_statement_accept(statement=st, by=other_approver, now=NOW)) == [
        "use_statement.accept"
    ]
    st.refresh_from_db()
    assert st.status == StatementStatus.ACCEPTED
    assert (st.reviewed_by, st.decided_by) == (w.approver, other_approver)
    # The contractor and the bank that holds the account are told; not the other bank or branch.
    sent = OutboxMessage.objects.order_by("id")[before:]
    recipients = sorted(a for m in sent for a in m.to)
    assert recipients == sorted([w.contractor_user.email, aw.bank_user.email, aw.bank_admin.email]), recipients
    assert all("第1版" in m.subject for m in sent)
    assert selectors.use_statement_for(user=aw.bank_user, pk=st.pk) == st
    assert selectors.use_statement_for(user=aw.other_branch_bank_user, pk=st.pk) is None
    assert audit_verify() is None


def test_a_statement_one_yen_off_is_refused_and_nothing_changes(aw: AdvanceWorld) -> None:
    lines = standard_lines()
    lines[-1] = use_line("MATERIALS", 9_999_999, payee="未定")
    st = advances.use_statement_create(account=aw.account, by=aw.world.contractor_user, lines=lines, now=NOW)
    attach_required_proofs(aw, st)
    with pytest.raises(DomainError) as exc:
        advances.use_statement_submit(statement=st, by=aw.world.contractor_user, now=NOW)
    assert fields(exc) == ["lines"]
    assert "あと1円不足" in exc.value.violations[0].message
    st.refresh_from_db()
    assert st.status == StatementStatus.DRAFT


def test_proofs_are_required_per_use_and_kept_with_the_statement(aw: AdvanceWorld) -> None:
    w = aw.world
    st = advances.use_statement_create(account=aw.account, by=w.contractor_user, lines=standard_lines(), now=NOW)
    with pytest.raises(DomainError) as exc:
        advances.use_statement_submit(statement=st, by=w.contractor_user, now=NOW)
    # 材料費 (named) and 外注費 need proof; 労務費 (直用) and the 未定 材料費 line do not.
    assert fields(exc) == ["lines.0.proofs", "lines.1.proofs"]

    # Only PDF, JPEG or PNG by their first bytes, never empty, never too large.
    for upload, words in (
        (ContentFile(b"MZ\x90\x00 not a pdf", name="evil.pdf"), "PDF・JPEG・PNG"),
        (ContentFile(b"", name="empty.pdf"), "空のファイル"),
    ):
        with pytest.raises(DomainError, match=words):
            advances.proof_attach(statement=st, by=w.contractor_user, line_no=1, kind="INVOICE", upload=upload, now=NOW)
    big = ContentFile(PDF + b"0" * (10 * 1024 * 1024), name="big.pdf")
    with pytest.raises(DomainError, match="10MBまで"):
        advances.proof_attach(statement=st, by=w.contractor_user, line_no=1, kind="INVOICE", upload=big, now=NOW)
    with pytest.raises(NotPermitted):
        advances.proof_attach(
            statement=st,
            by=w.other_contractor_user,
            line_no=1,
            kind="INVOICE",
            upload=ContentFile(PDF, name="x.pdf"),
            now=NOW,
        )
    assert not ProofDocument.objects.exists()

    proof = advances.proof_attach(
        statement=st,
        by=w.contractor_user,
        line_no=1,
        kind="INVOICE",
        upload=ContentFile(PDF, name="../請求書.pdf"),
        now=NOW,
    )
    assert proof.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (proof.size, proof.content_type, proof.original_name) == (len(PDF), "application/pdf", "請求書.pdf")
    with default_storage.open(proof.file.name) as f:
        assert f.read() == PDF
    # A wrong kind for the use does not count: 外注費 still needs one of its kinds.
    advances.proof_attach(
        statement=st,
        by=w.contractor_user,
        line_no=2,
        kind="DELIVERY_NOTE",
        upload=ContentFile(PDF, name="n.pdf"),
        now=NOW,
    )
    with pytest.raises(DomainError) as exc:
        advances.use_statement_submit(statement=st, by=w.contractor_user, now=NOW)
    assert fields(exc) == ["lines.1.proofs"]


def test_return_with_a_reason_then_correct_and_submit_again(aw: AdvanceWorld) -> None:
    w = aw.world
    st = submit_statement(aw)
    with pytest.raises(DomainError, match="差戻しの理由を入力"):
        advances.use_statement_return(statement=st, by=w.clerk, reason="  ", now=NOW)
    with pytest.raises(NotPermitted):
        advances.use_statement_return(statement=st, by=aw.branch_clerk, reason="他支店", now=NOW)
    advances.use_statement_return(statement=st, by=w.clerk, reason="外注費の支払先を確認できません", now=NOW)
    st.refresh_from_db()
    assert (st.status, st.return_reason) == (StatementStatus.RETURNED, "外注費の支払先を確認できません")
    mail = OutboxMessage.objects.get(template="advance_statement_returned")
    assert mail.to == [w.contractor_user.email]
    assert "外注費の支払先を確認できません" in mail.body_text

    # The form sends each line's number back, so its proofs stay with it.
    lines = [use_line(x.category, x.amount, x.payee_name, line_no=i + 1) for i, x in enumerate(standard_lines())]
    lines[1] = use_line("SUBCONTRACT", 10_000_000, payee="株式会社□□工業（本社）", line_no=2)
    advances.use_statement_update_draft(statement=st, by=w.contractor_user, lines=lines, now=NOW)
    advances.use_statement_submit(statement=st, by=w.contractor_user, now=NOW)
    accept_statement(aw, st)
    st.refresh_from_db()
    assert (st.version, st.status) == (1, StatementStatus.ACCEPTED)


def test_overhead_where_the_orderer_allows_it(aw: AdvanceWorld) -> None:
    w = aw.world
    lines = [use_line("OVERHEAD", 10_000_000, payee="自社"), use_line("LABOUR", 30_000_000, payee="自社（直用）")]
    st = advances.use_statement_create(account=aw.account, by=w.contractor_user, lines=lines, now=NOW)
    with pytest.raises(DomainError) as exc:
        advances.use_statement_submit(statement=st, by=w.contractor_user, now=NOW)
    assert "認められていません" in exc.value.violations[0].message

    # From the works' contract date (2026-04-10) the orderer's contract allows 25/100.
    OverheadAllowance.objects.create(
        orderer=w.orderer, effective_from=dt.date(2026, 4, 1), contract_article="工事請負契約書第34条第5項"
    )
    advances.use_statement_submit(statement=st, by=w.contractor_user, now=NOW)
    advances.use_statement_return(statement=st, by=w.clerk, reason="確認のため", now=NOW)
    over = [use_line("OVERHEAD", 10_000_001, payee="自社", line_no=1), use_line("LABOUR", 29_999_999, "自社", 2)]
    advances.use_statement_update_draft(statement=st, by=w.contractor_user, lines=over, now=NOW)
    with pytest.raises(DomainError) as exc:
        advances.use_statement_submit(statement=st, by=w.contractor_user, now=NOW)
    assert fields(exc) == ["lines.0.amount"]
    # Worded as the orderer's setting (25 of 100), not reduced to 1/4: to the contractor and to staff.
    assert "前払金の100分の25の10,000,000円以内" in exc.value.violations[0].message
    note = selectors.use_statement_check(statement=st).overhead_note
    assert note == "現場管理費・一般管理費等の上限: 前払金の100分の25 = 10,000,000円（工事請負契約書第34条第5項）"


def test_no_overhead_on_an_interim_advance(world: World) -> None:
    aw = make_advance_world(world, kind="INTERIM_ADVANCE")
    OverheadAllowance.objects.create(
        orderer=world.orderer, effective_from=dt.date(2020, 1, 1), contract_article="第34条"
    )
    lines = [use_line("OVERHEAD", 1, payee="自社"), use_line("LABOUR", 19_999_999, payee="自社（直用）")]
    st = advances.use_statement_create(account=aw.account, by=world.contractor_user, lines=lines, now=NOW)
    with pytest.raises(DomainError) as exc:
        advances.use_statement_submit(statement=st, by=world.contractor_user, now=NOW)
    assert fields(exc) == ["lines.0.category"]
    assert "中間前払金" in exc.value.violations[0].message


def test_only_the_contractor_writes_its_statement(aw: AdvanceWorld) -> None:
    w = aw.world
    with pytest.raises(InvalidStateError, match="承認後"):
        advances.use_statement_change(account=aw.account, by=w.contractor_user, reason="まだ承認前", now=NOW)
    for who in (w.other_contractor_user, w.clerk, aw.bank_user):
        with pytest.raises(NotPermitted):
            advances.use_statement_create(account=aw.account, by=who, lines=standard_lines(), now=NOW)
    st = advances.use_statement_create(account=aw.account, by=w.contractor_user, lines=standard_lines(), now=NOW)
    for who in (w.other_contractor_user, w.clerk, aw.bank_admin):
        with pytest.raises(NotPermitted):
            advances.use_statement_submit(statement=st, by=who, now=NOW)
    with pytest.raises(InvalidStateError, match="作成済み"):
        advances.use_statement_create(account=aw.account, by=w.contractor_user, lines=standard_lines(), now=NOW)


def test_use_change_is_a_new_version_and_the_earlier_stays_readable(aw: AdvanceWorld) -> None:
    w = aw.world
    v1 = accept_statement(aw, submit_statement(aw))
    deposit_advance(aw)
    request(aw, line_no=1, amount=6_000_000)
    # Nothing can be withdrawn against the 未定 line (line 4) until a change names its payee.
    with pytest.raises(DomainError, match="未定"):
        request(aw, line_no=4, amount=1)
    with pytest.raises(NotPermitted):
        advances.use_statement_change(account=aw.account, by=w.other_contractor_user, reason="横取り", now=NOW)

    v2 = advances.use_statement_change(account=aw.account, by=w.contractor_user, reason="材料の購入先決定", now=NOW)
    assert (v2.version, v2.status) == (2, StatementStatus.DRAFT)
    assert v2.proofs.count() == v1.proofs.count() == 2
    with pytest.raises(InvalidStateError, match="作成中または審査中"):
        advances.use_statement_change(account=aw.account, by=w.contractor_user, reason="二重", now=NOW)

    lines = [
        use_line("MATERIALS", 5_999_999, line_no=1),  # below the 6,000,000 already requested
        use_line("SUBCONTRACT", 10_000_000, payee="株式会社□□工業", line_no=2),
        use_line("LABOUR", 5_000_000, payee="自社（直用）", line_no=3),
        use_line("MATERIALS", 19_000_001, payee="株式会社◇◇鋼材", line_no=4),
    ]
    advances.use_statement_update_draft(statement=v2, by=w.contractor_user, lines=lines, now=NOW)
    attach_required_proofs(aw, v2)
    with pytest.raises(DomainError) as exc:
        advances.use_statement_submit(statement=v2, by=w.contractor_user, now=NOW)
    assert fields(exc) == ["lines.0.amount"]
    lines[0] = use_line("MATERIALS", 6_000_000, line_no=1)
    lines[3] = use_line("MATERIALS", 19_000_000, payee="株式会社◇◇鋼材", line_no=4)
    advances.use_statement_update_draft(statement=v2, by=w.contractor_user, lines=lines, now=NOW)
    advances.use_statement_submit(statement=v2, by=w.contractor_user, now=NOW)
    # While the change is examined, the accepted version still rules the withdrawals.
    with pytest.raises(DomainError, match="未定"):
        request(aw, line_no=4, amount=1)
    accept_statement(aw, v2)

    v1.refresh_from_db()
    assert v1.status == StatementStatus.SUPERSEDED
    assert [s.version for s in selectors.use_statements_for(user=w.contractor_user, account=aw.account)] == [2, 1]
    assert list(v1.lines.values_list("amount", flat=True).order_by("position")) == [
        15_000_000,
        10_000_000,
        5_000_000,
        10_000_000,
    ]
    # Line 1 keeps what was requested under version 1: nothing is left of it now.
    with pytest.raises(DomainError, match="残額 0円"):
        request(aw, line_no=1, amount=1)
    assert request(aw, line_no=4, amount=19_000_000).status == "REQUESTED"


def test_an_amount_change_asks_for_a_new_statement(aw: AdvanceWorld) -> None:
    w = aw.world
    accept_statement(aw, submit_statement(aw))
    assert not selectors.advance_account_for(user=w.contractor_user, number=aw.guarantee.number).needs_new_statement
    amend_amount(
        guarantee=aw.guarantee,
        by=w.clerk,
        contract_price=110_000_000,
        guaranteed_amount=44_000_000,
        effective_on=dt.date(2026, 6, 1),
        reason="設計変更",
        now=timezone.now(),
    )
    account = selectors.advance_account_for(user=w.contractor_user, number=aw.guarantee.number)
    assert account is not None and account.needs_new_statement
    assert selectors.account_view(account=account, today=NOW.date()).needs_new_statement

    v2 = advances.use_statement_change(account=aw.account, by=w.contractor_user, reason="保証金額の変更", now=NOW)
    lines = standard_lines()
    lines = [
        use_line(x.category, x.amount + (4_000_000 if i == 3 else 0), x.payee_name, line_no=i + 1)
        for i, x in enumerate(lines)
    ]
    advances.use_statement_update_draft(statement=v2, by=w.contractor_user, lines=lines, now=NOW)
    advances.use_statement_submit(statement=v2, by=w.contractor_user, now=NOW)
    accept_statement(aw, v2)
    account = selectors.advance_account_for(user=w.contractor_user, number=aw.guarantee.number)
    assert account is not None and not account.needs_new_statement


def test_accepting_refuses_a_statement_overtaken_by_an_amount_change(aw: AdvanceWorld) -> None:
    w = aw.world
    st = advances.use_statement_review(statement=submit_statement(aw), by=w.clerk, now=NOW)
    amend_amount(
        guarantee=aw.guarantee,
        by=w.clerk,
        contract_price=100_000_000,
        guaranteed_amount=30_000_000,
        effective_on=dt.date(2026, 6, 1),
        reason="減額",
        now=timezone.now(),
    )
    with pytest.raises(InvalidStateError, match="40,000,000円から30,000,000円"):
        advances.use_statement_accept(statement=st, by=w.approver, now=NOW)


def test_statements_never_for_a_stranger_to_read(aw: AdvanceWorld) -> None:
    w = aw.world
    st = advances.use_statement_create(account=aw.account, by=w.contractor_user, lines=standard_lines(), now=NOW)
    assert selectors.use_statement_for(user=w.contractor_user, pk=st.pk) == st
    # A draft is the contractor's own: not the surety's, not the bank's, not another company's.
    for who in (w.clerk, aw.bank_user, aw.bank_admin, w.other_contractor_user, w.orderer_user):
        assert selectors.use_statement_for(user=who, pk=st.pk) is None, who
    assert UseStatement.objects.count() == 1
