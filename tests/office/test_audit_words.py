"""監査ログ reads in the words of the screens: the advances' and claims' entries, codes that mean
different things on different rows, dates, and the entries no person made."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone

from esurety.audit.services import AuditItem, audit_record_many
from tests.factories import World
from tests.office.operations import client_for


def _record(world: World, *items: AuditItem, actor=None) -> None:
    with transaction.atomic():
        audit_record_many(actor=actor, at=timezone.now(), items=list(items))


def _item(world: World, object_type: str, action: str, before: dict | None, after: dict) -> AuditItem:
    return AuditItem(
        action=action, object_type=object_type, object_id="1", before=before, after=after, surety_id=world.surety.pk
    )


def _cells(html: str, *, keep_strong: bool = False) -> str:
    """The text of the log's table cells (the changed values in <strong> if asked), without the
    small grey action codes."""
    html = re.sub(r'<span class="small muted mono">[^<]*</span>', "", html)
    html = html.split('class="list ops-table audit-table"', 1)[1]
    return re.sub(r"<(?!/?strong>)[^>]+>" if keep_strong else r"<[^>]+>", " ", html)


def test_advance_and_claim_entries_read_in_japanese(world: World) -> None:
    _record(
        world,
        _item(
            world,
            "Withdrawal",
            "withdrawal.pay",
            {"status": "REQUESTED", "number": "2070000001-0001"},
            {
                "number": "2070000001-0001",
                "status": "PAID",
                "line_no": 1,
                "amount": 6000000,
                "payee_name": "株式会社△△資材",
                "paid_on": "2026-05-21",
            },
        ),
        _item(
            world,
            "Claim",
            "claim.file",
            None,
            {
                "number": "C2070000001",
                "guarantee": "2070000001",
                "status": "RECEIVED",
                "claimed_amount": 3450000,
                "termination_date": "2026-11-26",
                "termination_reason": "DEFAULT",
            },
        ),
        _item(
            world,
            "AmendmentRequest",
            "amendment_request.create",
            {"guaranteed_amount": 3300000},
            {"guarantee": "2070000001", "amendment_type": "AMOUNT", "guaranteed_amount": 4000000, "status": "PENDING"},
        ),
        _item(world, "AccessKey", "access_key.reveal", None, {"number": "2070000001", "purpose": "notice_pdf"}),
    )
    text = _cells(client_for(world.clerk).get("/office/audit/").content.decode())

    for words in ("払出依頼", "払出済", "行番号", "金額", "支払先", "払出日", "2026/05/21"):
        assert words in text
    for words in ("履行請求", "受付", "請求額", "契約解除日", "2026/11/26", "受注者の債務不履行による発注者の契約解除"):
        assert words in text
    assert "変更の種類" in text and "金額の変更" in text and "申請中" in text
    assert "目的" in text and "「認証キー等のお知らせ」(PDF)の取得" in text
    # No code of the log is left for the reader to decode.
    for code in ("Withdrawal", "REQUESTED", "PAID", "line_no", "payee_name", "paid_on", "Claim", "RECEIVED"):
        assert code not in text
    for code in ("termination_reason", "DEFAULT", "amendment_type", "AMOUNT", "PENDING", "purpose", "notice_pdf"):
        assert code not in text
    assert "2026-05-21" not in text


def test_a_code_reads_as_its_own_rows_word(world: World) -> None:
    # REJECTED is 否決 on an application but エラー on a bulk import; ACTIVE is 有効 on a guarantee
    # but 払出可 on an advance account.
    _record(
        world,
        _item(world, "ImportBatch", "import.fail", {"status": "PENDING"}, {"status": "REJECTED"}),
        _item(world, "Application", "application.reject", {"status": "UNDER_REVIEW"}, {"status": "REJECTED"}),
        _item(world, "AdvanceAccount", "advance_account.open", None, {"status": "ACTIVE", "account_type": "ORDINARY"}),
    )
    text = _cells(client_for(world.clerk).get("/office/audit/").content.decode(), keep_strong=True)
    assert text.count("<strong>エラー</strong>") == 1 and text.count("<strong>否決</strong>") == 1
    assert "払出可" in text and "普通預金" in text and "有効" not in text


def test_entries_no_person_made_say_so(world: World) -> None:
    _record(world, _item(world, "Guarantee", "guarantee.expire", {"status": "ACTIVE"}, {"status": "EXPIRED"}))
    text = _cells(client_for(world.clerk).get("/office/audit/").content.decode())
    assert "システム（自動処理）" in text
    assert "system" not in text


def test_amounts_read_in_yen_and_counts_do_not(world: World) -> None:
    _record(
        world,
        _item(world, "Claim", "claim.file", None, {"number": "C2070000001", "claimed_amount": 3450000}),
        _item(world, "ImportBatch", "import.done", None, {"line_count": 1200, "imported_count": 1200}),
    )
    text = _cells(client_for(world.clerk).get("/office/audit/").content.decode())
    assert "3,450,000円" in text
    assert "1,200" in text and "1,200円" not in text


def test_a_statements_lines_read_as_the_form_shows_them(world: World) -> None:
    line = [1, "MATERIALS", "株式会社△△資材", 15000000, "2026-06-30", "TRANSFER"]
    _record(world, _item(world, "UseStatement", "use_statement.submit", None, {"lines": [line]}))
    text = _cells(client_for(world.clerk).get("/office/audit/").content.decode())
    assert "1 材料費 株式会社△△資材 15,000,000円 2026/06/30 振込" in text
