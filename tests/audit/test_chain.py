"""The audit log is a hash chain: any edit or removal is found, and named."""

from __future__ import annotations

import itertools
import threading

import pytest
from django.core.management import base, call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from esurety.audit.management.commands.audit_verify import Command as AuditVerifyCommand
from esurety.audit.models import AuditChainHead, AuditEntry
from esurety.audit.services import audit_record, audit_verify
from tests.conftest import postgres_only
from tests.factories import World, make_guarantee

PARALLEL = 8


@pytest.fixture
def entries(world: World) -> list[AuditEntry]:
    make_guarantee(world)
    rows = list(AuditEntry.objects.order_by("id"))
    assert len(rows) >= 5
    return rows


def test_intact_chain_verifies(entries: list[AuditEntry]) -> None:
    assert audit_verify() is None
    assert entries[0].prev_hash == "0" * 64
    for previous, entry in itertools.pairwise(entries):
        assert entry.prev_hash == previous.entry_hash


def test_empty_log_verifies(db: None) -> None:
    assert audit_verify() is None


def test_altered_entry_is_found(entries: list[AuditEntry]) -> None:
    target = entries[2]
    AuditEntry.objects.filter(pk=target.pk).update(after={**(target.after or {}), "status": "APPROVED"})
    broken = audit_verify()
    assert broken is not None
    assert broken.entry_id == target.pk
    assert broken.reason == "このエントリの内容が改ざんされています"


@pytest.mark.parametrize("field", ["actor_label", "action", "object_id", "before"])
def test_any_recorded_field_is_covered(entries: list[AuditEntry], field: str) -> None:
    target = entries[1]
    AuditEntry.objects.filter(pk=target.pk).update(**{field: "x" if field != "before" else {"status": "x"}})
    broken = audit_verify()
    assert broken is not None
    assert broken.entry_id == target.pk


def test_deleted_middle_entry_is_found(entries: list[AuditEntry]) -> None:
    AuditEntry.objects.filter(pk=entries[2].pk).delete()
    broken = audit_verify()
    assert broken is not None
    # The entry after the gap no longer links to its predecessor.
    assert broken.entry_id == entries[3].pk
    assert broken.reason == "直前のエントリが削除または改ざんされています"


def test_deleted_first_entry_is_found(entries: list[AuditEntry]) -> None:
    AuditEntry.objects.filter(pk=entries[0].pk).delete()
    broken = audit_verify()
    assert broken is not None
    assert broken.entry_id == entries[1].pk


def test_deleted_last_entry_is_found(entries: list[AuditEntry]) -> None:
    AuditEntry.objects.filter(pk=entries[-1].pk).delete()
    broken = audit_verify()
    assert broken is not None
    assert broken.entry_id is None
    assert broken.reason == "末尾のエントリが削除されています"


def test_entries_cannot_be_saved_again(entries: list[AuditEntry]) -> None:
    entry = entries[0]
    entry.action = "application.delete"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()


def test_recording_outside_a_transaction_is_refused(world: World) -> None:
    # pytest-django wraps each test in a transaction; step outside it to see the guard.
    connection = transaction.get_connection()
    in_block = connection.in_atomic_block
    connection.in_atomic_block = False
    try:
        with pytest.raises(RuntimeError, match="inside the transaction"):
            audit_record(actor=None, action="x", obj=world.surety, at=timezone.now())
    finally:
        connection.in_atomic_block = in_block


def test_chain_continues_after_many_appends(world: World) -> None:
    now = timezone.now()
    with transaction.atomic():
        for i in range(30):
            audit_record(actor=world.clerk, action="test.append", obj=world.surety, at=now, after={"i": i, "名": "値"})
    assert audit_verify() is None


def test_command_reports_ok(entries: list[AuditEntry], capsys: pytest.CaptureFixture[str]) -> None:
    call_command("audit_verify")
    assert "監査ログの連鎖は正常です。" in capsys.readouterr().out


def test_command_fails_on_tamper(
    entries: list[AuditEntry], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = entries[1]
    AuditEntry.objects.filter(pk=target.pk).update(after={"status": "CONCLUDED"})
    with pytest.raises(
        CommandError, match=f"監査ログの不整合: エントリ #{target.pk}: このエントリの内容が改ざんされています"
    ):
        call_command("audit_verify")
    # As run from the shell: a non-zero exit status and the message on stderr. (run_from_argv
    # closes every connection when done; keep the test's own transaction open.)
    monkeypatch.setattr(base.connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exit_info:
        AuditVerifyCommand().run_from_argv(["manage.py", "audit_verify", "--skip-checks"])
    assert exit_info.value.code != 0
    assert "監査ログの不整合" in capsys.readouterr().err


def test_command_fails_on_truncated_log(entries: list[AuditEntry]) -> None:
    AuditEntry.objects.filter(pk=entries[-1].pk).delete()
    with pytest.raises(CommandError, match="監査ログの不整合: 末尾: 末尾のエントリが削除されています"):
        call_command("audit_verify")


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_appends_from_an_empty_log(world: World) -> None:
    # Nothing written yet (a fresh deployment): the first writers race to create the chain head.
    AuditEntry.objects.all().delete()
    AuditChainHead.objects.all().delete()
    start = threading.Barrier(PARALLEL)
    errors: list[BaseException] = []

    def append(i: int) -> None:
        try:
            start.wait(timeout=30)
            with transaction.atomic():
                audit_record(actor=None, action="test.parallel", obj=world.surety, at=timezone.now(), after={"i": i})
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=append, args=(i,)) for i in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert AuditEntry.objects.count() == PARALLEL
    assert audit_verify() is None
