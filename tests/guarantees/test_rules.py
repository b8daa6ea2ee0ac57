"""The business rules of DESIGN.md at their limits.

The pure checks are driven by hypothesis over contract prices; the limits
are recomputed here in plain integer arithmetic so the test does not trust
the module it checks. Rules that depend on data (adoption dates, the
advance guarantee) go through the services against the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st

from esurety.core.errors import DomainError, RuleViolation
from esurety.core.kinds import DeliveryMethod, GuaranteeKind, WorkCategory
from esurety.guarantees import services
from esurety.guarantees.models import Application, ApplicationStatus, Guarantee
from esurety.guarantees.rules import AdvanceFacts, Terms, check_terms
from esurety.parties.models import ElectronicAdoption, Role, User
from tests.factories import World, application_input, make_guarantee, make_orderer, make_surety, make_user

WORK = "〇〇道路改良工事"
PRICES = st.integers(min_value=1_000_000, max_value=10**13)


def cut(price: int, numerator: int) -> int:
    """numerator/10 of the price, cut to whole ¥100,000 (10万円未満切捨)."""
    return price * numerator // 10 // 100_000 * 100_000


def at_least(price: int, numerator: int) -> int:
    """Smallest whole-yen amount that is at least numerator/10 of the price."""
    return -(-price * numerator // 10)


def yen(amount: int) -> str:
    return f"{amount:,}円"


def terms(**overrides: object) -> Terms:
    base = Terms(
        kind=GuaranteeKind.ADVANCE,
        work_category=WorkCategory.WORKS,
        work_name=WORK,
        contract_date=dt.date(2026, 4, 10),
        completion_date=dt.date(2027, 3, 31),
        contract_price=100_000_000,
        guaranteed_amount=40_000_000,
        low_bid=False,
        deposit_bank="〇〇銀行 ▲▲支店",
        delivery_method=DeliveryMethod.ELECTRONIC,
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def advance_facts(amount: int = 1_000_000, **overrides: object) -> AdvanceFacts:
    base = AdvanceFacts(
        number="2070000001",
        kind=GuaranteeKind.ADVANCE,
        is_active=True,
        same_parties=True,
        work_name=WORK,
        guaranteed_amount=amount,
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def check(t: Terms, *, accepts: bool = True, advance: AdvanceFacts | None = None) -> list[RuleViolation]:
    return check_terms(t, orderer_name="徳島市上下水道事業管理者", orderer_accepts_electronic=accepts, advance=advance)


def only_amount_violation(violations: list[RuleViolation]) -> str:
    assert len(violations) == 1, violations
    assert violations[0].field == "guaranteed_amount"
    return violations[0].message


# --- 前払金保証 -------------------------------------------------------------


@given(price=PRICES)
@example(price=123_456_789)
@example(price=100_000_000)
@example(price=1_000_000)
def test_advance_works_exactly_four_tenths_passes_one_yen_more_fails(price: int) -> None:
    limit = cut(price, 4)
    assert check(terms(contract_price=price, guaranteed_amount=limit)) == []
    message = only_amount_violation(check(terms(contract_price=price, guaranteed_amount=limit + 1)))
    assert yen(limit) in message
    assert "10分の4" in message


@given(price=PRICES)
def test_advance_consulting_three_tenths(price: int) -> None:
    limit = cut(price, 3)
    t = terms(work_category=WorkCategory.CONSULTING, contract_price=price)
    assert check(replace(t, guaranteed_amount=limit)) == []
    message = only_amount_violation(check(replace(t, guaranteed_amount=limit + 1)))
    assert yen(limit) in message
    assert "10分の3" in message


@given(price=PRICES, category=st.sampled_from(WorkCategory.values))
def test_advance_low_bid_two_tenths(price: int, category: str) -> None:
    limit = cut(price, 2)
    t = terms(work_category=category, low_bid=True, contract_price=price)
    assert check(replace(t, guaranteed_amount=limit)) == []
    message = only_amount_violation(check(replace(t, guaranteed_amount=limit + 1)))
    assert yen(limit) in message
    assert "低入札" in message
    assert "10分の2" in message


def test_advance_cut_to_whole_100000_yen() -> None:
    # 4/10 of 123,456,789 is 49,382,715.6; below ¥100,000 is cut: 49,300,000.
    assert check(terms(contract_price=123_456_789, guaranteed_amount=49_300_000)) == []
    message = only_amount_violation(check(terms(contract_price=123_456_789, guaranteed_amount=49_300_001)))
    assert message == (
        "前払金の保証金額は、請負金額(総額)の10分の4（10万円未満切捨て）の49,300,000円以下にしてください。"
    )
    # Even an amount inside the plain 4/10 is over the cut limit.
    assert check(terms(contract_price=123_456_789, guaranteed_amount=49_382_715)) != []


def test_advance_needs_deposit_bank() -> None:
    violations = check(terms(deposit_bank="  "))
    assert [v.field for v in violations] == ["deposit_bank"]
    assert "預託金融機関" in violations[0].message


def test_amount_over_price_and_non_positive_values() -> None:
    fields = {
        v.field
        for v in check(terms(kind=GuaranteeKind.PERFORMANCE, guaranteed_amount=100_000_001), advance=advance_facts())
    }
    assert fields == {"guaranteed_amount"}
    fields = {v.field for v in check(terms(contract_price=0, guaranteed_amount=0))}
    assert fields == {"contract_price", "guaranteed_amount"}


def test_completion_before_contract_date() -> None:
    violations = check(terms(completion_date=dt.date(2026, 4, 9)))
    assert [v.field for v in violations] == ["completion_date"]
    assert "令和8年4月10日" in violations[0].message


@pytest.mark.parametrize("accepts", [True, False])
def test_dates_outside_the_business_range_are_named_once(accepts: bool) -> None:
    """1800-01-01 is a typing accident: said beside the date, not also as 「not adopted electronically」."""
    violations = check(terms(contract_date=dt.date(1800, 1, 1), completion_date=dt.date(9999, 12, 31)), accepts=accepts)
    assert [(v.field, v.message) for v in violations] == [
        ("contract_date", "契約締結日は2000年1月1日から2099年12月31日までの日付にしてください。"),
        ("completion_date", "工事末日は2000年1月1日から2099年12月31日までの日付にしてください。"),
    ]


def test_control_characters_in_the_work_name_are_a_rule_violation() -> None:
    violations = check(terms(work_name="〇〇\u202e工事"))
    assert [v.field for v in violations] == ["work_name"]
    assert "U+202E" in violations[0].message


# --- 中間前払金保証 ---------------------------------------------------------


@given(price=PRICES)
def test_interim_two_tenths(price: int) -> None:
    limit = cut(price, 2)
    # A small advance, so only the 2/10 limit binds.
    facts = advance_facts(amount=100_000)
    t = terms(kind=GuaranteeKind.INTERIM_ADVANCE, contract_price=price)
    assert check(replace(t, guaranteed_amount=limit), advance=facts) == []
    message = only_amount_violation(check(replace(t, guaranteed_amount=limit + 1), advance=facts))
    assert yen(limit) in message
    assert "中間前払金" in message


@given(price=PRICES, share=st.floats(min_value=0.0, max_value=1.0))
@example(price=90_000_000, share=40_000_000 / 54_000_000)
def test_advance_plus_interim_at_most_six_tenths(price: int, share: float) -> None:
    six = cut(price, 6)
    advance_amount = max(1, int(six * share))
    room = min(cut(price, 2), six - advance_amount)
    facts = advance_facts(amount=advance_amount)
    t = terms(kind=GuaranteeKind.INTERIM_ADVANCE, contract_price=price)
    if room >= 1:
        assert check(replace(t, guaranteed_amount=room), advance=facts) == []
    message = only_amount_violation(check(replace(t, guaranteed_amount=max(room, 0) + 1), advance=facts))
    if six - advance_amount < cut(price, 2):
        # The total binds: the message names the 6/10 total and the room left.
        assert yen(six) in message
        assert f"中間前払金は{yen(max(room, 0))}まで" in message
    else:
        assert yen(cut(price, 2)) in message


def test_interim_is_for_works_only() -> None:
    violations = check(
        terms(kind=GuaranteeKind.INTERIM_ADVANCE, work_category=WorkCategory.CONSULTING, guaranteed_amount=1_000_000),
        advance=advance_facts(),
    )
    assert [v.field for v in violations] == ["work_category"]


# --- 契約保証 ---------------------------------------------------------------


@given(price=PRICES, low_bid=st.booleans())
@example(price=100_000_001, low_bid=False)
def test_performance_minimum_exact_passes_one_yen_less_fails(price: int, low_bid: bool) -> None:
    minimum = at_least(price, 3 if low_bid else 1)
    t = terms(kind=GuaranteeKind.PERFORMANCE, contract_price=price, low_bid=low_bid, deposit_bank="")
    facts = advance_facts()
    assert check(replace(t, guaranteed_amount=minimum), advance=facts) == []
    message = only_amount_violation(check(replace(t, guaranteed_amount=minimum - 1), advance=facts))
    assert f"{yen(minimum)}以上" in message
    assert ("10分の3" if low_bid else "10分の1") in message


def test_performance_minimum_rounds_up_to_whole_yen() -> None:
    facts = advance_facts()
    t = terms(kind=GuaranteeKind.PERFORMANCE, contract_price=100_000_001)
    # 1/10 of 100,000,001 is 10,000,000.1 yen: 10,000,000 is short of it.
    assert check(replace(t, guaranteed_amount=10_000_001), advance=facts) == []
    assert only_amount_violation(check(replace(t, guaranteed_amount=10_000_000), advance=facts)) == (
        "契約保証の保証金額は、請負金額(総額)の10分の1の10,000,001円以上にしてください。"
    )


# --- 電子交付 ---------------------------------------------------------------


@pytest.mark.parametrize("accepts", [True, False])
def test_performance_reservation_never_electronic(accepts: bool) -> None:
    t = terms(kind=GuaranteeKind.PERFORMANCE_RESERVATION, guaranteed_amount=10_000_000, deposit_bank="")
    violations = check(t, accepts=accepts)
    assert [v.field for v in violations] == ["delivery_method"]
    assert "契約保証予約は電子交付の対象外" in violations[0].message
    assert check(replace(t, delivery_method=DeliveryMethod.PAPER), accepts=accepts) == []


def test_electronic_refused_when_orderer_does_not_accept() -> None:
    violations = check(terms(), accepts=False)
    assert [v.field for v in violations] == ["delivery_method"]
    assert violations[0].message == (
        "徳島市上下水道事業管理者は、令和8年4月10日締結の工事の前払金保証を電子交付の対象としていません。"
        "「書面」を選択してください。"
    )
    assert check(terms(delivery_method=DeliveryMethod.PAPER), accepts=False) == []


# --- With the database: adoption data and the advance guarantee ---------------


def draft(world: World, *, by: User | None = None, **overrides: object) -> Application:
    return services.application_create(
        by=by or world.contractor_user, data=application_input(world, **overrides), now=timezone.now()
    )


def fields(app: Application) -> list[str]:
    return [v.field for v in services.application_check(app)]


def test_adoption_date_is_the_orderer_data(world: World) -> None:
    # 徳島市上下水道局 takes contracts concluded on or after 令和8年4月1日.
    before = draft(world, contract_date=dt.date(2026, 3, 31))
    assert fields(before) == ["delivery_method"]
    assert "令和8年3月31日締結の工事の前払金保証" in services.application_check(before)[0].message
    assert fields(draft(world, contract_date=dt.date(2026, 4, 1))) == []
    # Paper is always possible.
    assert fields(draft(world, contract_date=dt.date(2026, 3, 31), delivery_method=DeliveryMethod.PAPER)) == []


def test_adoption_by_category_kind_and_end_date(world: World) -> None:
    orderer = make_orderer("阿波市長", adopt_from=None)
    ElectronicAdoption.objects.create(
        orderer=orderer,
        work_category=WorkCategory.WORKS,
        kind=GuaranteeKind.ADVANCE,
        effective_from=dt.date(2025, 4, 1),
        effective_until=dt.date(2026, 3, 31),
    )
    assert fields(draft(world, orderer_id=orderer.pk, contract_date=dt.date(2025, 4, 1))) == []
    assert fields(draft(world, orderer_id=orderer.pk, contract_date=dt.date(2026, 3, 31))) == []
    # After the adoption ended, for another category, or for another kind: refused.
    assert fields(draft(world, orderer_id=orderer.pk, contract_date=dt.date(2026, 4, 1))) == ["delivery_method"]
    consulting = draft(
        world,
        orderer_id=orderer.pk,
        contract_date=dt.date(2025, 6, 1),
        work_category=WorkCategory.CONSULTING,
        guaranteed_amount=30_000_000,
    )
    assert fields(consulting) == ["delivery_method"]
    advance = make_guarantee(
        world, delivery_method=DeliveryMethod.PAPER, orderer_id=orderer.pk, contract_date=dt.date(2025, 6, 1)
    )
    performance = draft(
        world,
        orderer_id=orderer.pk,
        kind=GuaranteeKind.PERFORMANCE,
        contract_date=dt.date(2025, 6, 1),
        guaranteed_amount=10_000_000,
        advance_guarantee_number=advance.number,
    )
    assert fields(performance) == ["delivery_method"]


def test_refused_submission_keeps_the_draft(world: World) -> None:
    app = draft(world, contract_date=dt.date(2026, 3, 31))
    with pytest.raises(DomainError) as info:
        services.application_submit(application=app, by=world.contractor_user, now=timezone.now())
    assert [v.field for v in info.value.violations] == ["delivery_method"]
    app.refresh_from_db()
    assert app.status == ApplicationStatus.DRAFT


@pytest.mark.parametrize("kind", [GuaranteeKind.INTERIM_ADVANCE, GuaranteeKind.PERFORMANCE])
def test_interim_and_performance_need_an_advance(world: World, kind: str) -> None:
    app = draft(world, kind=kind, guaranteed_amount=10_000_000)
    violations = services.application_check(app)
    assert [v.field for v in violations] == ["advance_guarantee"]
    assert "同じ工事の前払金保証" in violations[0].message


@pytest.mark.parametrize("kind", [GuaranteeKind.INTERIM_ADVANCE, GuaranteeKind.PERFORMANCE])
def test_same_works_advance_is_accepted(world: World, kind: str) -> None:
    advance = make_guarantee(world)
    # 全角 input of the number is normalised.
    full_width = advance.number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    app = draft(world, kind=kind, guaranteed_amount=10_000_000, advance_guarantee_number=full_width)
    assert app.advance_guarantee == advance
    assert fields(app) == []


def test_advance_of_another_orderer_is_refused(world: World) -> None:
    other_orderer = make_orderer("徳島県知事")
    advance = make_guarantee(world, orderer_id=other_orderer.pk)
    app = draft(
        world, kind=GuaranteeKind.PERFORMANCE, guaranteed_amount=10_000_000, advance_guarantee_number=advance.number
    )
    violations = services.application_check(app)
    assert [v.field for v in violations] == ["advance_guarantee"]
    assert (
        f"保証契約番号 {advance.number} は、同じ保証契約者・発注者の前払金保証ではありません。" == violations[0].message
    )


def test_advance_of_another_surety_is_refused(world: World) -> None:
    surety, branch = make_surety("東日本建設業保証株式会社", first_number=3_070_000_001)
    clerk = make_user("east-clerk", surety=surety, role=Role.CLERK)
    approver = make_user("east-approver", surety=surety, role=Role.APPROVER)
    now = timezone.now()
    app = draft(world, branch_id=branch.pk)
    app = services.application_submit(application=app, by=world.contractor_user, now=now)
    app = services.application_start_review(application=app, by=clerk, now=now)
    app = services.application_approve(application=app, by=approver, now=now)
    app = services.application_confirm_payment(application=app, by=clerk, received_on=now.date(), now=now)
    advance = services.application_conclude(application=app, by=clerk, now=now).guarantee
    assert advance.number.startswith("307")
    # The performance guarantee is asked of 西日本建設業保証, the advance is 東日本's.
    rider = draft(
        world, kind=GuaranteeKind.PERFORMANCE, guaranteed_amount=10_000_000, advance_guarantee_number=advance.number
    )
    assert fields(rider) == ["advance_guarantee"]


def test_advance_of_another_contractor_is_not_found(world: World) -> None:
    theirs = make_guarantee(world, by=world.other_contractor_user)
    with pytest.raises(DomainError) as info:
        draft(
            world, kind=GuaranteeKind.PERFORMANCE, guaranteed_amount=10_000_000, advance_guarantee_number=theirs.number
        )
    assert info.value.violations == [
        RuleViolation("advance_guarantee", f"保証契約番号 {theirs.number} の前払金保証が見つかりません。")
    ]
    assert not Application.objects.filter(kind=GuaranteeKind.PERFORMANCE).exists()


def test_advance_for_other_works_is_refused(world: World) -> None:
    advance = make_guarantee(world, work_name="△△トンネル工事")
    app = draft(
        world, kind=GuaranteeKind.PERFORMANCE, guaranteed_amount=10_000_000, advance_guarantee_number=advance.number
    )
    violations = services.application_check(app)
    assert [v.field for v in violations] == ["work_name"]
    assert "「△△トンネル工事」と一致しません" in violations[0].message


def test_a_performance_guarantee_is_not_an_advance(world: World) -> None:
    advance = make_guarantee(world)
    performance = make_guarantee(
        world, kind=GuaranteeKind.PERFORMANCE, guaranteed_amount=10_000_000, advance_guarantee_number=advance.number
    )
    app = draft(
        world,
        kind=GuaranteeKind.INTERIM_ADVANCE,
        guaranteed_amount=10_000_000,
        advance_guarantee_number=performance.number,
    )
    assert fields(app) == ["advance_guarantee"]


def test_cancelled_advance_is_refused(world: World) -> None:
    advance = make_guarantee(world)
    Guarantee.objects.filter(pk=advance.pk).update(status="CANCELLED")
    app = draft(
        world, kind=GuaranteeKind.PERFORMANCE, guaranteed_amount=10_000_000, advance_guarantee_number=advance.number
    )
    violations = services.application_check(app)
    assert [v.field for v in violations] == ["advance_guarantee"]
    assert "有効ではありません" in violations[0].message


# --- The limits in words come from the ratios, not from text restated in the views ----------


def test_amount_rule_text_says_each_kinds_ratio() -> None:
    from esurety.guarantees.rules import amount_rule_text

    assert amount_rule_text(kind=GuaranteeKind.ADVANCE, work_category=WorkCategory.WORKS, low_bid=False) == (
        "前払金の保証金額は、請負金額(総額)の10分の4（10万円未満切捨て）以下です。"
    )
    assert amount_rule_text(kind=GuaranteeKind.INTERIM_ADVANCE, work_category="", low_bid=False) == (
        "中間前払金の保証金額は、請負金額(総額)の10分の2以下、前払金との合計は10分の6以下です。"
    )
    assert "10分の3以上" in amount_rule_text(kind=GuaranteeKind.PERFORMANCE, work_category="", low_bid=True)
    assert "10分の1以上" in amount_rule_text(kind=GuaranteeKind.PERFORMANCE, work_category="", low_bid=False)
