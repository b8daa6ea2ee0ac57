"""Two people racing for the last yen, on PostgreSQL (real row locks, real concurrent transactions).

Without the account lock (services.common.lock_account) both would read the same
room and both would succeed; these tests fail then (checked by removing it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from esurety.advances import services as advances
from esurety.advances.kinds import WithdrawalStatus
from esurety.advances.models import Withdrawal
from esurety.audit.services import audit_verify
from esurety.core.errors import DomainError
from tests.conftest import postgres_only
from tests.factories import (
    ADVANCE_NOW,
    PAYEE,
    World,
    accept_statement,
    deposit_advance,
    make_advance_world,
    request,
    submit_statement,
)

NOW = ADVANCE_NOW


def race(*steps: Callable[[], object]) -> tuple[list[object], list[BaseException]]:
    """Run each step in its own thread (its own connection, its own transaction), all at once."""
    start = threading.Barrier(len(steps))
    done: list[object] = []
    errors: list[BaseException] = []

    def run(step: Callable[[], object]) -> None:
        try:
            # Connected before the start line: opening a connection takes longer than the race.
            connection.ensure_connection()
            start.wait(timeout=30)
            done.append(step())
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(step,)) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return done, errors


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_payments_for_the_last_yen_exactly_one_is_paid(world: World) -> None:
    aw = make_advance_world(world)
    accept_statement(aw, submit_statement(aw))
    # So far only 600,000円 of the advance has landed: each request fits it, both together do not.
    deposit_advance(aw, amount=600_000)
    first = request(aw, line_no=1, amount=600_000)
    second = request(aw, line_no=1, amount=600_000)

    def pay(w: Withdrawal) -> Callable[[], object]:
        return lambda: advances.withdrawal_pay(withdrawal=w, by=aw.bank_user, paid_on=NOW.date(), now=NOW)

    done, errors = race(pay(first), pay(second))
    assert len(done) == 1
    # The loser is refused by the rule, with its reason: not by a crash.
    assert len(errors) == 1 and isinstance(errors[0], DomainError), errors
    assert "前払金残高 0円" in str(errors[0])
    statuses = sorted(Withdrawal.objects.values_list("status", flat=True))
    assert statuses == [WithdrawalStatus.PAID, WithdrawalStatus.REQUESTED]
    assert audit_verify() is None


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_requests_for_the_last_yen_of_a_line_exactly_one_is_taken(world: World) -> None:
    aw = make_advance_world(world)
    accept_statement(aw, submit_statement(aw))
    deposit_advance(aw)

    def ask(line_no: int, amount: int) -> Callable[[], object]:
        return lambda: advances.withdrawal_request(
            by=world.contractor_user,
            data=advances.WithdrawalInput(
                account_id=aw.account.pk, line_no=line_no, amount=amount, desired_on=NOW.date(), payee=PAYEE
            ),
            now=NOW,
        )

    # Three rounds, each four requests for the whole of one line (労務費, 外注費, 材料費).
    for line_no, amount in ((3, 5_000_000), (2, 10_000_000), (1, 15_000_000)):
        done, errors = race(*[ask(line_no, amount) for _ in range(4)])
        assert len(done) == 1, line_no
        assert len(errors) == 3 and all(isinstance(e, DomainError) for e in errors), errors
        assert all("残額 0円" in str(e) for e in errors)
        [taken] = Withdrawal.objects.filter(line_no=line_no)
        # The bank pays the one request: the whole line, and nothing else was asked of it.
        advances.withdrawal_pay(withdrawal=taken, by=aw.bank_user, paid_on=NOW.date(), now=NOW)
    assert sorted(Withdrawal.objects.values_list("line_no", "status")) == [
        (1, WithdrawalStatus.PAID),
        (2, WithdrawalStatus.PAID),
        (3, WithdrawalStatus.PAID),
    ]
    assert audit_verify() is None
