"""前払金専用口座: who registers it, where it may be, and closing it at the end of the works."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from esurety.advances import services as advances
from esurety.advances.kinds import AccountStatus
from esurety.advances.models import AdvanceAccount
from esurety.advances.rules import AccountInput
from esurety.core.errors import DomainError, InvalidStateError, NotPermitted
from esurety.notifications.models import OutboxMessage
from esurety.parties.models import User
from tests.factories import (
    ADVANCE_NOW,
    World,
    make_bank,
    make_guarantee,
    make_user,
    open_account,
    ready_account,
    request,
)

NOW = ADVANCE_NOW


def data(branch_id: int, number: str = "12345", holder: str = "ｶ)ﾏﾙﾏﾙｹﾝｾﾂ") -> AccountInput:
    return AccountInput(bank_branch_id=branch_id, account_type="ORDINARY", account_number=number, holder_kana=holder)


def test_the_contractor_registers_the_account_of_its_advance_guarantee(world: World) -> None:
    _, (branch, _) = make_bank(contract_with=world.surety)
    g = make_guarantee(world)
    for who in (world.other_contractor_user, world.orderer_user):
        with pytest.raises(NotPermitted):
            advances.account_open(guarantee=g, by=who, data=data(branch.pk), now=NOW)
    account = advances.account_open(guarantee=g, by=world.contractor_user, data=data(branch.pk), now=NOW)
    # Typed as people type: the number is padded to 7 digits, the holder in full-width kana.
    assert (account.account_number, account.holder_kana, account.status) == (
        "0012345",
        "カ)マルマルケンセツ",
        AccountStatus.ACTIVE,
    )
    assert (account.bank, account.bank_branch) == (branch.bank, branch)
    with pytest.raises(InvalidStateError, match="登録済み"):
        advances.account_open(guarantee=g, by=world.clerk, data=data(branch.pk, "7777777"), now=NOW)


def test_only_at_a_bank_under_contract_with_the_surety_and_never_twice(world: World) -> None:
    _, (branch, _) = make_bank(contract_with=world.surety)
    _, (stranger,) = make_bank("××銀行", "0999", (("本店", "001"),))
    g = make_guarantee(world)
    with pytest.raises(DomainError) as exc:
        advances.account_open(guarantee=g, by=world.clerk, data=data(stranger.pk), now=NOW)
    assert [v.field for v in exc.value.violations] == ["bank_branch"]
    with pytest.raises(DomainError) as exc:
        advances.account_open(guarantee=g, by=world.clerk, data=data(branch.pk, "12a", "まるまる"), now=NOW)
    assert [v.field for v in exc.value.violations] == ["account_number", "holder_kana"]
    advances.account_open(guarantee=g, by=world.clerk, data=data(branch.pk), now=NOW)
    other = make_guarantee(world, work_name="△△トンネル工事", guaranteed_amount=20_000_000)
    with pytest.raises(DomainError, match="別の保証契約に登録されています"):
        advances.account_open(guarantee=other, by=world.contractor_user, data=data(branch.pk), now=NOW)
    assert AdvanceAccount.objects.count() == 1


def test_no_account_for_a_performance_guarantee(world: World) -> None:
    _, (branch, _) = make_bank(contract_with=world.surety)
    advance = make_guarantee(world)
    performance = make_guarantee(
        world, kind="PERFORMANCE", guaranteed_amount=10_000_000, advance_guarantee_number=advance.number
    )
    with pytest.raises(InvalidStateError, match="前払金保証・中間前払金保証にのみ"):
        open_account(world, performance, branch)


def test_closing_shows_what_the_orderer_may_claim_back(world: World) -> None:
    aw = ready_account(world)
    waiting = request(aw, line_no=1, amount=3_000_000)
    with pytest.raises(InvalidStateError, match="依頼中の払出"):
        advances.account_close(account=aw.account, by=world.approver, reason="工事完成", now=NOW)
    advances.withdrawal_pay(withdrawal=waiting, by=aw.bank_user, paid_on=NOW.date(), now=NOW)
    with pytest.raises(NotPermitted):
        advances.account_close(account=aw.account, by=world.clerk, reason="工事完成", now=NOW)
    advances.account_close(account=aw.account, by=world.approver, reason="工事完成", now=NOW)
    mail = OutboxMessage.objects.filter(template="advance_account_closed").first()
    assert mail is not None and "37,000,000円" in mail.body_text
    with pytest.raises(InvalidStateError, match="閉鎖"):
        request(aw, line_no=1, amount=1)


def test_a_user_belongs_to_exactly_one_organisation(world: World) -> None:
    bank, (branch, _) = make_bank()
    other_bank, (other_branch,) = make_bank("△△信用金庫", "1999", (("本店", "001"),))
    with transaction.atomic(), pytest.raises(IntegrityError):
        User.objects.create(username="two-hats", deposit_bank=bank, contractor=world.contractor)
    with transaction.atomic(), pytest.raises(IntegrityError):
        User.objects.create(username="branch-only", bank_branch=branch, contractor=world.contractor)
    assert make_user("bank-clerk", deposit_bank=bank, bank_branch=branch).organisation_name == "〇〇銀行"
    assert other_branch.bank == other_bank
