"""Every page of every portal, as its users see it, over data that fills each state.

Shared by the HTML validator test (tests/web/test_html_valid.py) and the axe walk
(tests/e2e/test_every_page_accessible.py). Lists are paged with a page size of 2
(``small_pages``) so that every pager is on screen, above and below its list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from esurety.accounts import services as accounts
from esurety.accounts import totp
from esurety.advances import services as advances
from esurety.core.kinds import DeliveryMethod
from esurety.dashboards.services import dashboard_figures_refresh
from esurety.guarantees import services
from esurety.guarantees.imports import import_batch_process, import_batch_upload
from esurety.guarantees.models import AmendmentType
from esurety.integrations.services import api_token_create
from esurety.parties.models import Role, User
from esurety.verification import services as verification
from esurety.verification.services import PER_USER, VerificationLocked, VerificationRefused
from esurety.webhooks.models import events_for_owner
from esurety.webhooks.services import webhook_endpoint_create
from tests.claims.site import claim_pages
from tests.factories import (
    ADVANCE_NOW,
    PAYEE,
    AdvanceWorld,
    World,
    accept_statement,
    amend_amount,
    application_input,
    change_period,
    deposit_advance,
    make_bank,
    make_guarantee,
    make_user,
    open_account,
    request,
    submit_application,
    submit_statement,
)
from tests.office.advance_site import build_advance_office_pages
from tests.office.lifecycle import make_office, receive
from tests.office.operations import csv_bytes, line

# Module attributes holding a list's page size; patched to 2 so a few rows make several pages.
PAGED_MODULES = (
    "esurety.contractor.views.guarantees",
    "esurety.contractor.views.statements",
    "esurety.contractor.views.applications",
    "esurety.contractor.views.withdrawals",
    "esurety.office.views.lifecycle_common",
    "esurety.office.views.audit",
    "esurety.office.views.outbox",
    "esurety.office.views.alerts",
    "esurety.web.webhooks",
    "esurety.verify.views",
    "esurety.bank.views.withdrawals",
    "esurety.bank.views.accounts",
)


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in PAGED_MODULES:
        monkeypatch.setattr(f"{module}.PAGE_SIZE", 2)


@dataclass
class Site:
    """Who looks at what: username (None: not logged in) → paths."""

    pages: dict[str | None, list[str]] = field(default_factory=dict)
    # Staff who must enter a TOTP code first (the code page itself is one of their pages).
    totp_user: str = ""


def advance_pages(world: World) -> tuple[list[str], AdvanceWorld]:
    """The contractor's 前払金 pages, over an account in every state they show."""
    from esurety.advances import services as advances
    from tests.factories import ready_account, request, submit_statement

    aw = ready_account(world)
    paid = request(aw, amount=3_000_000)
    advances.withdrawal_pay(withdrawal=paid, by=aw.bank_user, paid_on=ADVANCE_NOW.date(), now=ADVANCE_NOW)
    returned = request(aw, amount=2_000_000)
    advances.withdrawal_return(withdrawal=returned, by=aw.bank_user, reason="口座名義が一致しません。", now=ADVANCE_NOW)
    request(aw, line_no=2, amount=1_000_000)
    advances.use_statement_change(
        account=aw.account, by=world.contractor_user, reason="材料の調達先の決定", now=ADVANCE_NOW
    )
    payee = advances.payee_save(by=world.contractor_user, data=PAYEE, now=ADVANCE_NOW)
    proof = aw.account.statements.get(version=2).proofs.first()
    assert proof is not None
    # A second advance whose statement was returned, and a third without an account.
    from tests.factories import make_guarantee, open_account

    second = make_guarantee(world, work_name="△△護岸工事")
    open_account(world, second, aw.bank_branch, number="2345678")
    aw2 = AdvanceWorld(**{**aw.__dict__, "guarantee": second, "account": second.advance_account})
    advances.use_statement_return(
        statement=submit_statement(aw2), by=world.clerk, reason="外注費の下請契約書が読めません。", now=ADVANCE_NOW
    )
    third = make_guarantee(world, work_name="口座未登録の工事")
    n, n2 = aw.guarantee.number, second.number
    base = f"/contractor/guarantees/{n}/advance/"
    return [
        "/contractor/advances/",
        "/contractor/advances/withdrawals/",
        "/contractor/advances/withdrawals/?page=2",
        "/contractor/advances/withdrawals/?status=RETURNED",
        "/contractor/advances/payees/",
        f"/contractor/advances/payees/{payee.pk}/",
        base,
        base + "statement/",
        base + "statement/1/",
        base + "statement/2/",
        base + "withdrawals/new/",
        base + "withdrawals/upload/",
        f"/contractor/guarantees/{n2}/advance/",
        f"/contractor/guarantees/{n2}/advance/statement/",
        f"/contractor/guarantees/{n2}/advance/statement/1/",
        f"/contractor/guarantees/{third.number}/advance/",
    ], aw


def build_site(world: World) -> Site:
    now = timezone.now()
    office = make_office(world)
    orderer_admin = make_user("ordadmin", orderer=world.orderer, role=Role.ORG_ADMIN)
    User.objects.filter(pk=world.clerk.pk).update(display_name="事務 一郎")
    User.objects.filter(pk=world.orderer_user.pk).update(display_name="契約 次郎")

    # Webhooks and API tokens first, so events of the changes below are delivered to them.
    webhook_endpoint_create(
        owner=world.surety,
        by=office.admin,
        url="http://127.0.0.1:9/hook",
        events=list(events_for_owner(world.surety)),
        name="基幹",
        now=now,
    )
    webhook_endpoint_create(
        owner=world.orderer,
        by=orderer_admin,
        url="http://127.0.0.1:9/hook",
        events=list(events_for_owner(world.orderer)),
        name="電子契約",
        now=now,
    )
    api_token_create(by=None, name="電子契約システム", orderer=world.orderer, now=now)
    api_token_create(by=None, name="基幹システム", surety=world.surety, role=Role.APPROVER, now=now)

    # A guarantee received by the orderer, sent by the contractor, then changed in amount and in 工期.
    amended = make_guarantee(world)
    verification.notice_dispatch_send(guarantee=amended, by=world.contractor_user, now=now)
    receive(world, amended, at=now)
    amend_amount(
        guarantee=amended,
        by=world.clerk,
        contract_price=110_000_000,
        guaranteed_amount=44_000_000,
        effective_on=dt.date(2026, 6, 1),
        reason="設計変更による請負金額の増額",
        now=now,
    )
    change_period(
        guarantee=amended,
        by=world.clerk,
        completion_date=dt.date(2027, 6, 30),
        effective_on=dt.date(2027, 3, 1),
        reason="関係機関との協議に伴う工期の延長",
        now=now,
    )
    # One with a change waiting for the approver, one cancelled, one on paper.
    pending = make_guarantee(world, work_name="△△トンネル工事", contract_price=50_000_000, guaranteed_amount=20_000_000)
    services.amendment_request_create(
        guarantee=pending,
        by=world.clerk,
        amendment_type=AmendmentType.AMOUNT,
        effective_on=dt.date(2026, 7, 1),
        reason="数量増加",
        contract_price=60_000_000,
        guaranteed_amount=24_000_000,
        now=now,
    )
    receive(world, pending, at=now)
    cancelled = make_guarantee(world, work_name="□□橋梁補修工事")
    receive(world, cancelled, at=now)
    services.guarantee_cancel(guarantee=cancelled, by=world.approver, reason="工事の中止", now=now)
    paper = make_guarantee(world, work_name="書面交付の工事", delivery_method=DeliveryMethod.PAPER)

    # A run of wrong keys by another of the orderer's users: an alert for the staff.
    locked_out = make_user("guesser", orderer=world.orderer)
    for _ in range(PER_USER.max_attempts):
        try:
            verification.certificate_verify(
                user=locked_out, number=pending.number, key="AAAAAAAAAA", client_ip="203.0.113.9", now=now
            )
        except (VerificationRefused, VerificationLocked):
            pass

    # Applications in each state the contractor and the staff see.
    draft = services.application_create(
        by=world.contractor_user, data=application_input(world, work_name="下書きの工事"), now=now
    )
    submitted = submit_application(world, work_name="審査待ちの工事")
    reviewed = services.application_start_review(
        application=submit_application(world, work_name="審査中の工事"), by=world.clerk, now=now
    )
    approved = services.application_approve(
        application=services.application_start_review(
            application=submit_application(world, work_name="承認済みの工事"), by=world.clerk, now=now
        ),
        by=world.approver,
        now=now,
    )
    rejected = services.application_reject(
        application=services.application_start_review(
            application=submit_application(world, work_name="否決された工事"), by=world.clerk, now=now
        ),
        by=world.approver,
        reason="契約書の写しに記載の請負金額と申込内容が一致しないため否決しました。",
        now=now,
    )

    usage = accounts.usage_application_submit(
        data=accounts.UsageApplicationInput(
            surety_id=world.surety.pk,
            company_name="株式会社□□組",
            postal_code="770-0001",
            address="徳島市□□町1番地",
            tel="088-123-4567",
            representative_title="代表取締役",
            representative_name="□□ 太郎",
            applicant_name="□□ 花子",
            applicant_email="hanako@kumi.example",
        ),
        now=now,
    )
    rejected_import = import_batch_process(
        batch_id=import_batch_upload(
            by=office.admin,
            file_name="import.csv",
            content=csv_bytes([line(world, 保証金額="abc"), line(world, 工事末日="2027-13-01"), line(world, 区分="?")]),
            now=now,
        ).pk,
        now=now,
    )
    assert rejected_import is not None
    colleague = accounts.member_invite(
        by=world.contractor_user, email="jiro@maru.example", display_name="工務部 次郎", now=now
    )

    totp_user = make_user("totpclerk", surety=world.surety, role=Role.CLERK)
    secret = totp.totp_enrol_start(user=totp_user, now=now)
    totp.totp_enrol_confirm(user=totp_user, code=totp.totp(secret, now), now=now)

    # 前払金の使途: an account with an accepted statement, a paid, a returned and a waiting request,
    # a 使途変更 in draft; another advance still without its account; the payee book.
    adv, adv_world = advance_pages(world)
    aw, bank_pages = build_bank(world, office_branch_clerk=office.other_branch_clerk)

    # The home pages draw their charts from the precomputed monthly figures.
    dashboard_figures_refresh(now=now)

    n, p, c = amended.number, pending.number, cancelled.number
    contractor = [
        "/contractor/",
        "/contractor/?page=2",
        "/contractor/?mode=work_name&q=トンネル",
        f"/contractor/guarantees/{n}/",
        f"/contractor/guarantees/{n}/?version=1",
        f"/contractor/guarantees/{n}/print/",
        f"/contractor/guarantees/{n}/print/?version=1",
        f"/contractor/guarantees/{n}/key/",
        f"/contractor/guarantees/{c}/",
        f"/contractor/guarantees/{paper.number}/",
        "/contractor/statements/",
        "/contractor/statements/?page=2",
        "/contractor/applications/",
        "/contractor/applications/?page=2",
        "/contractor/applications/new/",
        f"/contractor/applications/{draft.pk}/",
        f"/contractor/applications/{draft.pk}/edit/",
        f"/contractor/applications/{submitted.pk}/",
        f"/contractor/applications/{rejected.pk}/",
        "/account/members/",
        f"/account/members/{colleague.pk}/remove/",
        *adv,
    ]
    orderer = [
        "/verify/",
        "/verify/home/",
        "/verify/received/",
        "/verify/received/?page=2",
        "/verify/received/?status=変更あり",
        f"/verify/certificates/{n}/",
        f"/verify/certificates/{n}/?version=1",
        f"/verify/certificates/{n}/print/",
        f"/verify/certificates/{c}/",
        f"/verify/certificates/{p}/print/",
        "/verify/organisation/",
        "/verify/organisation/api-tokens/",
        "/verify/webhooks/",
        "/verify/webhooks/?page=2",
        "/account/members/",
    ]
    clerk = [
        "/office/",
        "/office/home/",
        "/office/?page=2",
        f"/office/applications/{submitted.pk}/",
        f"/office/applications/{reviewed.pk}/",
        f"/office/applications/{approved.pk}/",
        f"/office/applications/{rejected.pk}/",
        "/office/guarantees/",
        "/office/guarantees/?page=2",
        f"/office/guarantees/{n}/",
        f"/office/guarantees/{n}/?version=1",
        f"/office/guarantees/{p}/",
        f"/office/guarantees/{c}/",
        f"/office/guarantees/{paper.number}/",
        f"/office/guarantees/{n}/amend/",
        "/office/amendments/",
        "/office/premium-rates/",
        "/office/orderers/",
        f"/office/orderers/{world.orderer.pk}/",
        "/office/banks/",
        f"/office/banks/{aw.bank.pk}/",
        "/office/outbox/",
        "/office/outbox/?page=2",
        "/office/audit/",
        "/office/audit/?page=2",
        "/office/alerts/",
        "/office/totp/",
    ]
    approver = [
        f"/office/guarantees/{p}/",
        f"/office/guarantees/{n}/cancel/",
        f"/office/guarantees/{n}/reissue-key/",
        "/office/amendments/?status=PENDING",
    ]
    admin = [
        "/office/orderers/new/",
        f"/office/orderers/{world.orderer.pk}/edit/",
        f"/office/orderers/{world.orderer.pk}/api-tokens/",
        "/office/usage-applications/",
        f"/office/usage-applications/?status={usage.status}",
        "/office/imports/",
        f"/office/imports/{rejected_import.pk}/",
        "/office/api-tokens/",
        "/office/webhooks/",
        "/office/webhooks/?page=2",
        "/office/banks/",
        "/office/banks/?page=2",
        f"/office/banks/{aw.bank.pk}/",
    ]
    anonymous = [
        "/",
        "/login/",
        "/password-reset/",
        "/password-reset/done/",
        accounts.set_password_path(world.other_contractor_user),
        "/reset/MQ/invalid-token/",
        "/reset/done/",
        "/signup/",
        "/signup/done/",
        "/check/",
        "/faq/",
        "/faq/?name=%E4%B8%8A%E4%B8%8B%E6%B0%B4%E9%81%93",  # 上下水道: the orderers' table, searched
    ]
    advance_office = build_advance_office_pages(adv_world)
    clerk += advance_office[world.clerk.username]
    approver += advance_office[world.approver.username]
    # The end of a guarantee (issue 14): completion, claims in several states, a price cut.
    ends = claim_pages(world)
    contractor += ends[world.contractor_user.username]
    orderer += ends["orderer"]
    clerk += ends[world.clerk.username]
    approver += ends[world.approver.username]
    return Site(
        pages={
            None: anonymous,
            world.contractor_user.username: contractor,
            orderer_admin.username: orderer,
            world.clerk.username: clerk,
            world.approver.username: approver,
            office.admin.username: admin,
            totp_user.username: ["/office/totp/verify/"],
            **bank_pages,
        },
        totp_user=totp_user.username,
    )


def build_bank(world: World, *, office_branch_clerk: User) -> tuple[AdvanceWorld, dict[str | None, list[str]]]:
    """◇◇銀行 with an account at 本店営業部: requests waiting, paid and returned, the bank's webhook and token.

    A bank of its own (not make_advance_world's 〇〇銀行, which the office's advance pages build).
    """
    bank, (branch, other_branch) = make_bank(
        "◇◇銀行", "0234", (("本店営業部", "101"), ("駅前支店", "102")), contract_with=world.surety
    )
    guarantee = make_guarantee(world, work_name="〇〇道路改良工事（前払金）")
    aw = AdvanceWorld(
        world=world,
        bank=bank,
        bank_branch=branch,
        other_bank_branch=other_branch,
        other_bank=bank,
        bank_user=make_user("bankdesk", deposit_bank=bank, bank_branch=branch),
        bank_admin=make_user("bankadmin", deposit_bank=bank, role=Role.ORG_ADMIN),
        other_branch_bank_user=make_user("bankstation", deposit_bank=bank, bank_branch=other_branch),
        other_bank_user=make_user("bankhq", deposit_bank=bank),
        branch_clerk=office_branch_clerk,
        guarantee=guarantee,
        account=open_account(world, guarantee, branch),
    )
    webhook_endpoint_create(
        owner=bank,
        by=aw.bank_admin,
        url="http://127.0.0.1:9/hook",
        events=list(events_for_owner(bank)),
        name="勘定系",
        now=ADVANCE_NOW,
    )
    api_token_create(by=aw.bank_admin, name="勘定系システム", deposit_bank=bank, now=ADVANCE_NOW)
    accept_statement(aw, submit_statement(aw))
    deposit_advance(aw)
    waiting = request(aw, amount=1_000_000)
    paid = request(aw, amount=2_000_000)
    returned = request(aw, amount=3_000_000)
    advances.withdrawal_pay(withdrawal=paid, by=aw.bank_user, paid_on=ADVANCE_NOW.date(), now=ADVANCE_NOW)
    advances.withdrawal_return(withdrawal=returned, by=aw.bank_user, reason="口座名義の相違", now=ADVANCE_NOW)
    for i in range(2):
        request(aw, amount=10_000 * (i + 1))
    pages: dict[str | None, list[str]] = {
        aw.bank_user.username: [
            "/bank/",
            "/bank/?page=2",
            "/bank/?status=PAID",
            f"/bank/withdrawals/{waiting.pk}/",
            f"/bank/withdrawals/{paid.pk}/",
            f"/bank/withdrawals/{returned.pk}/",
            "/bank/accounts/",
            f"/bank/accounts/{guarantee.number}/",
        ],
        aw.bank_admin.username: [
            "/bank/",
            f"/bank/?branch={branch.pk}&status=REQUESTED",
            "/bank/users/",
            f"/bank/users/{aw.bank_user.pk}/remove/",
            "/bank/api-tokens/",
            "/bank/webhooks/",
            "/bank/webhooks/?page=2",
        ],
    }
    return aw, pages
