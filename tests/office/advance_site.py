"""The back office's 前払金 pages for tests/web/site_pages.py: one advance account in every state
the staff meet (accepted statement, a 使途変更 waiting, paid / waiting / returned requests, a payee
taking most of a line), and the paths each staff member looks at."""

from __future__ import annotations

from esurety.advances import services as advances
from tests.factories import (
    ADVANCE_NOW,
    AdvanceWorld,
    accept_statement,
    another_advance,
    attach_required_proofs,
    deposit_advance,
    request,
    submit_statement,
    use_line,
)


def build_advance_office_pages(base: AdvanceWorld) -> dict[str, list[str]]:
    """username → the office's advance paths (the clerk's and the approver's), on a second advance
    in the world of the contractor's advance pages (``base``)."""
    world = base.world
    aw = another_advance(base, work_name="◇◇橋梁補修工事", account_number="3456789")
    v1 = accept_statement(aw, submit_statement(aw))
    deposit_advance(aw)
    for amount in (3_000_000, 2_000_000, 1_000_000):
        paid = request(aw, amount=amount)
        advances.withdrawal_pay(withdrawal=paid, by=aw.bank_user, paid_on=ADVANCE_NOW.date(), now=ADVANCE_NOW)
    returned = request(aw, amount=500_000)
    advances.withdrawal_return(withdrawal=returned, by=aw.bank_user, reason="口座名義が一致しません", now=ADVANCE_NOW)
    waiting = request(aw, line_no=2, amount=6_000_000)  # another payee than the line's: an unusual account
    v2 = advances.use_statement_change(
        account=aw.account, by=aw.world.contractor_user, reason="材料の仕入先の決定", now=ADVANCE_NOW
    )
    lines = [
        use_line(x.category, x.amount, x.payee_name or "株式会社◇◇建材", line_no=x.line_no) for x in v2.lines.all()
    ]
    advances.use_statement_update_draft(statement=v2, by=aw.world.contractor_user, lines=lines, now=ADVANCE_NOW)
    attach_required_proofs(aw, v2)
    advances.use_statement_submit(statement=v2, by=aw.world.contractor_user, now=ADVANCE_NOW)
    advances.account_stop(account=aw.account, by=world.clerk, reason="保証事故の報告の確認のため", now=ADVANCE_NOW)
    advances.account_resume(account=aw.account, by=world.approver, reason="確認が済んだため", now=ADVANCE_NOW)

    n = aw.guarantee.number
    clerk = [
        "/office/advances/",
        "/office/advances/?status=SUBMITTED",
        f"/office/advances/statements/{v1.pk}/",
        f"/office/advances/statements/{v2.pk}/",
        "/office/advances/accounts/",
        "/office/advances/accounts/?status=STOPPED",
        f"/office/advances/accounts/{n}/",
        f"/office/advances/accounts/{n}/?page=2",
        f"/office/advances/accounts/{n}/?w_status=REQUESTED&line=2",
        f"/office/advances/accounts/{n}/stop/",
        "/office/advances/unusual/",
        f"/office/guarantees/{n}/",
    ]
    approver = [
        f"/office/advances/accounts/{n}/resume/",
        f"/office/advances/accounts/{n}/close/",
    ]
    assert waiting.pk and returned.pk
    return {world.clerk.username: clerk, world.approver.username: approver}
