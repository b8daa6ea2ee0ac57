"""The demonstration data of `make demo`: the leaflet's world, exactly, inside a plausible history.

The seed runs once for the module (it builds a few hundred guarantees through
the real services) inside a transaction that is rolled back afterwards: every test
of what the seed leaves sits here, so the suite seeds once.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from esurety.advances import selectors as advance_selectors
from esurety.advances.kinds import AccountStatus, DepositKind, StatementStatus, WithdrawalStatus
from esurety.advances.models import AdvanceAccount, Withdrawal
from esurety.audit.models import AuditEntry
from esurety.audit.services import audit_verify
from esurety.claims.kinds import ClaimStatus
from esurety.claims.models import Claim, ClaimTerms, RefundRule
from esurety.core.clock import TOKYO, business_date
from esurety.core.kinds import DeliveryMethod, GuaranteeKind, WorkCategory
from esurety.dashboards import selectors as dashboards
from esurety.demo.calendar import DEMO_TODAY, HISTORY_ENDS
from esurety.demo.plans import LEAFLET_COMPLETION, leaflet_road_completion
from esurety.guarantees import selectors
from esurety.guarantees.models import (
    AccessKey,
    Amendment,
    AmendmentRequest,
    AmendmentRequestStatus,
    AmendmentType,
    Application,
    ApplicationStatus,
    Certificate,
    Guarantee,
    GuaranteeStatus,
    PremiumRate,
    PremiumStatement,
)
from esurety.notifications.models import OutboxMessage, OutboxStatus
from esurety.parties.models import (
    Contractor,
    DepositBank,
    DepositBankBranch,
    Orderer,
    Role,
    SuretyBankContract,
    SuretyCompany,
    User,
)

PASSWORD = "demo-pass-2026"
TOKUSHIMA = "徳島市上下水道事業管理者"
WEST = "西日本建設業保証株式会社"

# The leaflet's 保証工事一覧, row by row, in its order.
LEAFLET_LIST = [
    ("2070202096", GuaranteeKind.PERFORMANCE, "〇〇道路改良工事", 100_000_000, 10_000_000),
    ("2070004427", GuaranteeKind.ADVANCE, "△△トンネル工事", 50_000_000, 20_000_000),
    ("2070004426", GuaranteeKind.ADVANCE, "〇〇道路改良工事", 100_000_000, 40_000_000),
]


@pytest.fixture(scope="module")
def seed_output(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[str]:
    with django_db_blocker.unblock(), transaction.atomic():  # type: ignore[attr-defined]
        out = StringIO()
        with override_settings(DEMO_MODE=True):
            call_command("demo_seed", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def seeded(seed_output: str, db: None) -> str:
    return seed_output


def test_the_leaflets_three_guarantees_exactly(seeded: str) -> None:
    for number, kind, work_name, price, amount in LEAFLET_LIST:
        g = Guarantee.objects.select_related("contractor", "orderer", "surety", "branch").get(number=number)
        assert (g.kind, g.work_name, g.contract_price, g.guaranteed_amount) == (kind, work_name, price, amount)
        assert g.contractor.name == "株式会社〇〇建設"
        assert g.contractor.address == "▲▲市▲▲区▲▲1丁目1番1号"
        assert g.orderer.name == TOKUSHIMA
        assert g.orderer.organisation_name == "徳島市上下水道局"
        assert (g.surety.name, g.branch.name) == (WEST, "大塚支店")
        assert g.delivery_method == DeliveryMethod.ELECTRONIC
        assert g.work_category == WorkCategory.WORKS
        # Dated so that the orderer's rule (contracts from 2026-04-01) admits them.
        assert g.contract_date >= dt.date(2026, 4, 1)
        assert g.orderer.accepts_electronic(kind=g.kind, work_category=g.work_category, contract_date=g.contract_date)
        # 令和9年3月31日; the road's works extended by 工期の変更 when the demo is made near or after it.
        ends = leaflet_road_completion() if work_name == "〇〇道路改良工事" else LEAFLET_COMPLETION
        assert g.completion_date == g.period_end == ends
        assert (g.current_version, g.is_amended) == (1, False)
        assert AccessKey.objects.filter(guarantee=g, revoked_at__isnull=True).count() == 1
        if kind == GuaranteeKind.ADVANCE:
            assert g.deposit_bank == "〇〇銀行 ▲▲支店"

    performance = Guarantee.objects.get(number="2070202096")
    assert performance.advance_guarantee is not None
    assert performance.advance_guarantee.number == "2070004426"
    # All three issued on one day, like the leaflet's list.
    assert len({g.latest_issued_on for g in Guarantee.objects.filter(number__in=[r[0] for r in LEAFLET_LIST])}) == 1


def test_the_certificate_prints_the_leaflets_surety_and_branch(seeded: str) -> None:
    c = Certificate.objects.get(guarantee__number="2070004426", version=1)
    assert (c.surety_name, c.surety_postal_code, c.surety_address) == (WEST, "550-0012", "大阪市西区立売堀二丁目1番2号")
    assert c.surety_representative == "取締役社長 御出 一"
    assert (c.branch_name, c.branch_address) == ("大塚支店", "大塚市西區立売堀二丁目1番2号")
    assert (c.branch_tel, c.branch_fax) == ("06-6543-2711", "0120-504160")
    assert c.orderer_name == TOKUSHIMA
    assert c.deposit_bank == "〇〇銀行 ▲▲支店"


def test_demo_contractor_sees_exactly_the_leaflets_list(seeded: str) -> None:
    user = User.objects.get(username="demo-contractor")
    rows = [
        (g.number, g.kind, g.work_name, g.contract_price, g.guaranteed_amount)
        for g in selectors.guarantees_for_contractor(user=user)
    ]
    assert rows == LEAFLET_LIST
    assert all(g.orderer.name == TOKUSHIMA for g in selectors.guarantees_for_contractor(user=user))
    # Its open applications (a draft, an interim advance in 受付, a rejection) are not guarantees.
    statuses = sorted(selectors.applications_for_contractor(user=user).values_list("status", flat=True))
    assert ApplicationStatus.DRAFT in statuses and ApplicationStatus.REJECTED in statuses


def test_demo_logins(seeded: str) -> None:
    west = SuretyCompany.objects.get(name=WEST)
    expected = {
        "demo-contractor": dict(role=Role.ORG_ADMIN, contractor=Contractor.objects.get(name="株式会社〇〇建設")),
        "demo-orderer": dict(orderer=Orderer.objects.get(name=TOKUSHIMA)),
        "demo-staff": dict(role=Role.SURETY_ADMIN, surety=west, branch=None),
        "demo-approver": dict(role=Role.APPROVER, surety=west),
        "demo-clerk": dict(role=Role.CLERK, surety=west),
        # The bank the seed's certificate names: the 管理者 of its ▲▲支店 (that branch's accounts only).
        "demo-bank": dict(
            role=Role.ORG_ADMIN,
            deposit_bank=DepositBank.objects.get(name="〇〇銀行"),
            bank_branch=DepositBankBranch.objects.get(bank__name="〇〇銀行", name="▲▲支店"),
            surety=None,
            contractor=None,
        ),
    }
    for username, attributes in expected.items():
        user = User.objects.get(username=username)
        assert user.check_password(PASSWORD), username
        assert not user.is_superuser and not user.is_staff, username
        for name, value in attributes.items():
            assert getattr(user, name) == value, (username, name)
    assert User.objects.get(username="demo-contractor").email == "demo-contractor@example.com"
    admin = User.objects.get(username="demo-admin")
    assert admin.is_superuser and admin.is_staff and admin.check_password(PASSWORD)
    for username in [*expected, "demo-admin"]:
        assert username in seeded  # printed at the end


def test_counts_as_promised(seeded: str) -> None:
    assert SuretyCompany.objects.count() >= 3
    for surety in SuretyCompany.objects.all():
        assert surety.branches.count() >= 2
        assert surety.guarantees.exists()
    assert Contractor.objects.count() == 10
    assert Orderer.objects.count() == 10
    assert Guarantee.objects.count() >= 250
    kinds = set(Guarantee.objects.values_list("kind", flat=True))
    assert kinds == set(GuaranteeKind.values)


def test_amendments_amount_and_period(seeded: str) -> None:
    amended = Guarantee.objects.filter(is_amended=True)
    assert amended.count() >= 10
    for g in amended:
        latest = g.certificates.get(version=g.current_version)
        assert latest.is_amendment and g.current_version >= 2
        assert (latest.contract_price, latest.guaranteed_amount) == (g.contract_price, g.guaranteed_amount)
        assert not g.certificates.get(version=1).is_amendment
    period = Amendment.objects.filter(amendment_type=AmendmentType.PERIOD)
    assert period.count() >= 5
    # A 工期 change moves the period without a certificate of its own.
    for a in period.select_related("guarantee"):
        assert a.certificate_id is None
        assert a.guarantee.period_end == a.guarantee.completion_date == dt.date.fromisoformat(a.after["period_end"])
        if not a.guarantee.is_amended:
            assert a.guarantee.current_version == 1


def test_paper_where_not_adopted_and_reservations_on_paper(seeded: str) -> None:
    paper = Guarantee.objects.filter(delivery_method=DeliveryMethod.PAPER)
    assert paper.count() >= 20
    reservations = Guarantee.objects.filter(kind=GuaranteeKind.PERFORMANCE_RESERVATION)
    assert reservations.exists()
    assert not reservations.exclude(delivery_method=DeliveryMethod.PAPER).exists()
    assert not AccessKey.objects.filter(guarantee__delivery_method=DeliveryMethod.PAPER).exists()
    # Electronic only where the orderer's own rule admits it.
    for g in Guarantee.objects.filter(delivery_method=DeliveryMethod.ELECTRONIC).select_related("orderer"):
        assert g.orderer.accepts_electronic(kind=g.kind, work_category=g.work_category, contract_date=g.contract_date)
    assert not Guarantee.objects.filter(orderer__name="山城村長", delivery_method=DeliveryMethod.ELECTRONIC).exists()


def test_riders_rest_on_the_advance_of_the_same_works(seeded: str) -> None:
    riders = Guarantee.objects.filter(kind__in=[GuaranteeKind.INTERIM_ADVANCE, GuaranteeKind.PERFORMANCE])
    assert riders.filter(kind=GuaranteeKind.INTERIM_ADVANCE).exists()
    for g in riders.select_related("advance_guarantee"):
        adv = g.advance_guarantee
        assert adv is not None and adv.kind == GuaranteeKind.ADVANCE
        assert (adv.work_name, adv.contractor_id, adv.orderer_id, adv.surety_id) == (
            g.work_name,
            g.contractor_id,
            g.orderer_id,
            g.surety_id,
        )


def test_orderers_have_different_adoption_rules(seeded: str) -> None:
    rules = {
        o.name: frozenset(o.adoptions.values_list("work_category", "kind", "effective_from", "effective_until"))
        for o in Orderer.objects.all()
    }
    assert len(set(rules.values())) == 10
    assert frozenset() in rules.values()  # one orderer has not adopted electronic delivery
    assert rules[TOKUSHIMA] == {
        (category, kind, dt.date(2026, 4, 1), None)
        for category in WorkCategory.values
        for kind in (GuaranteeKind.ADVANCE, GuaranteeKind.INTERIM_ADVANCE, GuaranteeKind.PERFORMANCE)
    }
    tokushima = Orderer.objects.get(name=TOKUSHIMA)
    departments = {d.name: d for d in tokushima.departments.all()}
    assert departments["契約窓口"].handles(GuaranteeKind.PERFORMANCE)
    assert departments["工事担当課"].handles(GuaranteeKind.ADVANCE)
    assert departments["工事担当課"].handles(GuaranteeKind.INTERIM_ADVANCE)
    assert all(d.email.endswith(".example") for d in tokushima.departments.all())
    assert "{number}" in tokushima.notice_subject_template


def test_back_office_queue_in_every_status(seeded: str) -> None:
    staff = User.objects.get(username="demo-staff")
    queue = selectors.applications_for_staff(user=staff)
    for status in ApplicationStatus.values:
        assert queue.filter(status=status).exists(), status
    for app in Application.objects.filter(status=ApplicationStatus.REJECTED):
        assert app.rejection_reason


def test_numbers_from_each_branchs_series(seeded: str) -> None:
    otsuka = Guarantee.objects.filter(branch__name="大塚支店", surety__name=WEST)
    for g in otsuka:
        n = int(g.number)
        if g.kind == GuaranteeKind.PERFORMANCE:
            assert 2_070_200_001 <= n <= 2_070_299_999
        else:
            assert 2_070_000_001 <= n <= 2_070_199_999
    prefixes = {
        name: {n[0] for n in Guarantee.objects.filter(surety__name=name).values_list("number", flat=True)}
        for name in SuretyCompany.objects.values_list("name", flat=True)
    }
    assert prefixes[WEST] == {"2"}
    assert prefixes["東日本建設業保証株式会社"] == {"1"}
    assert prefixes["北海道建設業信用保証株式会社"] == {"3"}


def test_sample_premium_rates(seeded: str) -> None:
    for surety in SuretyCompany.objects.all():
        kinds = set(PremiumRate.objects.filter(surety=surety).values_list("kind", flat=True))
        assert kinds == set(GuaranteeKind.values)
    assert not PremiumRate.objects.filter(is_sample=False).exists()
    assert not PremiumStatement.objects.filter(is_sample_rate=False).exists()
    assert "サンプル" in seeded


def test_dates_tell_one_story(seeded: str) -> None:
    # Row timestamps follow the services' `now`, not the moment the seed ran.
    assert not Guarantee.objects.filter(created_at__gt=HISTORY_ENDS).exists()
    assert not Application.objects.filter(created_at__gt=HISTORY_ENDS).exists()
    for g in Guarantee.objects.select_related("application")[:50]:
        assert g.created_at == g.concluded_at
        assert g.latest_issued_on == business_date(g.certificates.order_by("-version")[0].issued_at)
        assert g.application is not None and g.application.created_at < g.concluded_at
    # The history's notices count as sent: the demo's worker must not mail them again;
    # except the leaflet's STEP 2, the お知らせ of its three guarantees to demo-contractor,
    # which the worker delivers into the demo mailbox when the demo starts.
    pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
    numbers = {str(g.pk): g.number for g in Guarantee.objects.filter(number__in=[row[0] for row in LEAFLET_LIST])}
    assert sorted((m.template, tuple(m.to), numbers.get(m.object_id)) for m in pending) == [
        ("certificate_issued", ("demo-contractor@example.com",), number) for number, *_ in sorted(LEAFLET_LIST)
    ]
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).exists()
    assert audit_verify() is None


def test_every_change_is_a_four_eyes_request_the_office_lists(seeded: str) -> None:
    """変更申請 → すべて lists every change the seed reports (it used to list none of them)."""
    amount = Amendment.objects.filter(amendment_type=AmendmentType.AMOUNT).count()
    period = Amendment.objects.filter(amendment_type=AmendmentType.PERIOD).count()
    assert f"金額の変更 {amount}件、工期の変更 {period}件" in seeded
    for a in Amendment.objects.select_related("request", "guarantee"):
        request = a.request  # each change went through the back office's 変更申請
        assert request.status == AmendmentRequestStatus.APPROVED
        assert request.guarantee_id == a.guarantee_id and request.amendment_type == a.amendment_type
        # Four eyes: entered by a clerk, approved by someone else, a little later.
        assert request.entered_by_id != request.decided_by_id
        assert request.entered_by.role == Role.CLERK and request.decided_by.role == Role.APPROVER
        assert request.created_at < request.decided_at == a.created_at
        assert request.decided_at <= HISTORY_ENDS

    listed = 0
    for surety in SuretyCompany.objects.all():
        approver = User.objects.filter(surety=surety, role=Role.APPROVER, branch__isnull=True).first() or (
            User.objects.filter(surety=surety, role=Role.SURETY_ADMIN).first()
        )
        assert approver is not None
        everything = selectors.amendment_requests_for_staff(user=approver, status="")
        assert everything.count() == Amendment.objects.filter(guarantee__surety=surety).count()
        listed += everything.count()
    assert listed == amount + period > 0

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="demo-staff"))
    page = client.get("/office/amendments/?status=").content.decode()
    west = Amendment.objects.filter(guarantee__surety__name=WEST).count()
    assert west > 0
    assert f"{west}件中 1 - {min(west, 20)}件" in page
    latest = AmendmentRequest.objects.filter(guarantee__surety__name=WEST).order_by("-created_at").first()
    assert latest is not None and latest.guarantee.number in page
    assert "該当する変更申請はありません。" not in page


@override_settings(DEMO_MODE=True)
def test_refuses_a_database_that_already_has_data(seeded: str) -> None:
    before = Guarantee.objects.count()
    with pytest.raises(CommandError, match="既にデータがあります"):
        call_command("demo_seed", stdout=StringIO())
    assert Guarantee.objects.count() == before


def test_the_road_advance_after_its_certificate(seeded: str) -> None:
    """Issue 13 in the demo: 2070004426's 40,000,000円 at 〇〇銀行 ▲▲支店, the bank its certificate names."""
    west = SuretyCompany.objects.get(name=WEST)
    bank = DepositBank.objects.get(name="〇〇銀行")
    assert SuretyBankContract.in_force(surety_id=west.pk, bank_id=bank.pk, on=DEMO_TODAY)
    account = AdvanceAccount.objects.select_related("guarantee", "bank_branch").get(guarantee__number="2070004426")
    assert f"{account.bank_branch}" == Certificate.objects.get(guarantee=account.guarantee, version=1).deposit_bank
    assert (account.status, account.account_number) == (AccountStatus.ACTIVE, "1234567")

    # The statement: submitted by the contractor, checked by one member of staff, accepted by another.
    staff = User.objects.get(username="demo-staff")
    view = advance_selectors.account_view(
        account=advance_selectors.advance_account_for(user=staff, number="2070004426"), today=DEMO_TODAY
    )
    statement = view.statement
    assert statement is not None and statement.status == StatementStatus.ACCEPTED and statement.version == 1
    assert statement.submitted_by == User.objects.get(username="demo-contractor")
    assert statement.reviewed_by == User.objects.get(username="demo-clerk")
    assert statement.decided_by == User.objects.get(username="demo-approver")
    assert statement.submitted_at < statement.reviewed_at < statement.decided_at
    assert sum(line.amount for line in view.lines) == 40_000_000 == statement.advance_amount
    assert any(line.is_undecided for line in view.lines)  # a 未定 line, nothing withdrawn from it
    assert all(line.paid == line.pending == 0 for line in view.lines if line.is_undecided)
    assert statement.proofs.count() >= 2

    # The advance landed, a few withdrawals were paid, one returned with its reason, one waits today.
    assert [(d.kind, d.amount) for d in view.deposits if d.kind == DepositKind.ADVANCE] == [
        (DepositKind.ADVANCE, 40_000_000)
    ]
    withdrawals = list(Withdrawal.objects.filter(account=account).order_by("seq"))
    paid = [w for w in withdrawals if w.status == WithdrawalStatus.PAID]
    returned = [w for w in withdrawals if w.status == WithdrawalStatus.RETURNED]
    waiting = [w for w in withdrawals if w.status == WithdrawalStatus.REQUESTED]
    assert len(paid) >= 3 and len(returned) == 1 and len(waiting) == 1
    assert "口座名義" in returned[0].return_reason
    assert view.balance.paid == sum(w.amount for w in paid)
    assert view.balance.advance_balance == 40_000_000 - view.balance.paid
    assert view.balance.pending == waiting[0].amount
    bank_user = User.objects.get(username="demo-bank")
    for w in paid + returned:
        assert w.acted_by == bank_user
    for w in paid:
        assert w.requested_on <= w.paid_on <= DEMO_TODAY

    # Dated along the demo's calendar: after the certificate, never after the demo's today.
    issued = account.guarantee.concluded_at
    assert issued < account.opened_at < statement.submitted_at < min(w.requested_at for w in withdrawals)
    assert max(w.requested_at for w in withdrawals) <= HISTORY_ENDS
    assert waiting[0].requested_at.astimezone(TOKYO).date() < DEMO_TODAY
    actions = set(AuditEntry.objects.filter(at__gt=issued).values_list("action", flat=True))
    assert {"advance_account.open", "use_statement.accept", "withdrawal.pay", "withdrawal.return"} <= actions

    # What each of the three users sees of it.
    listed = advance_selectors.withdrawals_for_bank(user=bank_user)
    assert sorted(listed.values_list("pk", flat=True)) == sorted(w.pk for w in withdrawals)
    assert list(advance_selectors.withdrawals_for_bank(user=bank_user, status=WithdrawalStatus.REQUESTED)) == waiting
    contractor = User.objects.get(username="demo-contractor")
    assert advance_selectors.advance_account_for(user=contractor, number="2070004426") == account
    for outsider in ("demo-orderer", "demo-contractor-02", "demo-east-clerk"):
        assert (
            advance_selectors.advance_account_for(user=User.objects.get(username=outsider), number="2070004426") is None
        )
    c = Client(HTTP_HOST="127.0.0.1")
    assert c.login(username="demo-bank", password=PASSWORD)
    assert "demo-bank" in seeded and "〇〇銀行 ▲▲支店" in seeded


def test_the_staff_home_counts_the_advance_work(seeded: str) -> None:
    items = {
        i.key: i.count for i in dashboards.work_items(user=User.objects.get(username="demo-staff"), now=timezone.now())
    }
    assert items["advance_withdrawals_waiting"] == 1
    assert items["advance_statements_waiting"] == 0
    assert items["advance_accounts_stopped"] == 0


def test_the_story_runs_up_to_the_day_the_demo_is_made(seeded: str) -> None:
    """The home pages count by the real clock: the history ends today, so this month has figures."""
    assert DEMO_TODAY == business_date(timezone.now())
    assert HISTORY_ENDS <= timezone.now()
    latest = Guarantee.objects.order_by("-concluded_at").values_list("concluded_at", flat=True).first()
    assert latest is not None and HISTORY_ENDS - latest < dt.timedelta(days=14)
    staff = User.objects.get(username="demo-staff")
    months = dashboards.monthly_conclusions(user=staff, today=DEMO_TODAY)
    assert months[-1].month == DEMO_TODAY.replace(day=1)
    if DEMO_TODAY.day > 7:
        # (In the first days of a month the month has barely begun, in the demo as in an office.)
        assert months[-1].total > 0
    assert months[-2].total > 0
    # The back office's queue is dated in the days before today.
    waiting = dashboards.open_applications(user=staff, today=DEMO_TODAY)
    assert waiting.total > 0
    assert all(a.created_at <= HISTORY_ENDS for a in waiting.oldest)


def test_the_header_names_each_users_organisation_once(seeded: str) -> None:
    """The header says 「{organisation} {person} 様」: a demo person named 「西日本 担当 佐藤 花子」 made it
    「西日本建設業保証株式会社 西日本 担当 佐藤 花子 様」, the company twice; the orderer's desk repeated
    its 機関名 (「徳島市上下水道事業管理者 徳島市上下水道局 契約担当 様」)."""
    # (The contractor's portal names only the company.)
    home = {"surety": "/office/home/", "orderer": "/verify/home/", "deposit_bank": "/bank/"}
    seen: set[str] = set()
    for user in User.objects.filter(is_active=True, is_superuser=False).exclude(display_name="").order_by("pk"):
        kind = next((k for k in home if getattr(user, f"{k}_id")), None)
        if kind is None or user.display_name.startswith("API連携"):  # API tokens' users never see a page
            continue
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        page = client.get(home[kind])
        assert page.status_code == 200, user.username
        header = re.search(r'<span class="user-nav__name">(.*?)</span>', page.content.decode(), re.S)
        assert header is not None, user.username
        organisation = getattr(user, kind).name
        name = " ".join(html.unescape(header.group(1)).split())
        assert name == f"{organisation} {user.display_name} 様", name
        # The person's part says nothing of the organisation again, not even its first characters.
        person = user.display_name.replace(" ", "")
        repeated = [organisation[i : i + 3] for i in range(len(organisation) - 2) if organisation[i : i + 3] in person]
        assert not repeated, (name, repeated)
        seen.add(kind)
    assert seen == set(home), seen


def test_the_demo_has_a_completed_guarantee_a_claim_under_review_and_a_paid_claim(seeded: str) -> None:
    assert Guarantee.objects.filter(status=GuaranteeStatus.COMPLETED).exists()
    statuses = set(Claim.objects.values_list("status", flat=True))
    assert statuses == {ClaimStatus.DOCUMENTS_REQUESTED, ClaimStatus.PAID}
    assert Guarantee.objects.filter(status=GuaranteeStatus.PAID_OUT).count() == 1
    # Their terms and the refund rule are samples, and say so.
    assert ClaimTerms.objects.get().is_sample and RefundRule.objects.get().is_sample
    assert audit_verify() is None
