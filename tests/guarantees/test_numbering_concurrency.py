"""保証契約番号 stay unique when several staff conclude at the same moment."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone

from esurety.audit.services import audit_verify
from esurety.core.errors import DomainError
from esurety.guarantees import services
from esurety.guarantees.models import Application, ApplicationStatus, Certificate, Guarantee, NumberSeries
from tests.conftest import postgres_only
from tests.factories import World, submit_application

PARALLEL = 8


def payment_confirmed(world: World, **overrides: object) -> Application:
    now = timezone.now()
    app = submit_application(world, **overrides)
    app = services.application_start_review(application=app, by=world.clerk, now=now)
    app = services.application_approve(application=app, by=world.approver, now=now)
    return services.application_confirm_payment(application=app, by=world.clerk, received_on=now.date(), now=now)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_conclusions_get_distinct_numbers(world: World) -> None:
    apps = [payment_confirmed(world, work_name=f"第{i}号 道路改良工事") for i in range(PARALLEL)]
    first = NumberSeries.objects.get(branch=world.branch).next_number
    start = threading.Barrier(PARALLEL)
    numbers: dict[int, str] = {}
    errors: list[BaseException] = []

    def conclude(app_id: int) -> None:
        # Each thread has its own connection, so each conclusion is its own transaction.
        try:
            app = Application.objects.get(pk=app_id)
            start.wait(timeout=30)
            guarantee = services.application_conclude(application=app, by=world.clerk, now=timezone.now()).guarantee
            numbers[app_id] = guarantee.number
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=conclude, args=(app.pk,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []

    assert len(numbers) == PARALLEL
    assert len(set(numbers.values())) == PARALLEL
    assert sorted(numbers.values()) == [f"{n:010d}" for n in range(first, first + PARALLEL)]
    assert NumberSeries.objects.get(branch=world.branch).next_number == first + PARALLEL
    assert Guarantee.objects.count() == PARALLEL
    assert Certificate.objects.count() == PARALLEL
    assert set(Application.objects.values_list("status", flat=True)) == {ApplicationStatus.CONCLUDED}
    # Every conclusion appended to the one audit chain without forking it.
    assert audit_verify() is None


def test_exhausted_series_is_a_clear_error(world: World) -> None:
    series = NumberSeries.objects.get(branch=world.branch)
    series.next_number = series.last_number
    series.save()
    last = payment_confirmed(world)
    after_last = payment_confirmed(world, work_name="△△トンネル工事", guaranteed_amount=20_000_000)

    # The very last number of the range is still given out …
    assert services.application_conclude(application=last, by=world.clerk, now=timezone.now()).guarantee.number == (
        f"{series.last_number:010d}"
    )
    # … and then the branch is told its range is used up; nothing is half-written.
    with pytest.raises(
        DomainError, match="大塚支店の保証契約番号の採番範囲を使い切りました。管理者に連絡してください。"
    ):
        services.application_conclude(application=after_last, by=world.clerk, now=timezone.now())
    after_last.refresh_from_db()
    assert after_last.status == ApplicationStatus.PAYMENT_CONFIRMED
    assert Guarantee.objects.count() == 1
    assert NumberSeries.objects.get(pk=series.pk).next_number == series.last_number + 1
    assert audit_verify() is None
