"""The words the audit log is read in: each recorded row type, field and code as the screens say it.

The log stores what the services wrote (model names, field names, choice codes, ISO dates) and
never changes (it is a hash chain), so the reading is done here, on display.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.db import models

from esurety.advances.kinds import (
    AccountStatus,
    AccountType,
    DepositKind,
    PayeeAccountType,
    ProofKind,
    StatementStatus,
    UseCategory,
    WithdrawalMethod,
    WithdrawalStatus,
)
from esurety.claims.kinds import ClaimStatus, CompletionSource, Decision, TerminationReason
from esurety.core.kinds import DeliveryMethod, GuaranteeKind, WorkCategory
from esurety.guarantees.models import (
    AmendmentRequestStatus,
    AmendmentType,
    ApplicationStatus,
    GuaranteeStatus,
    ImportStatus,
)
from esurety.notifications.models import OutboxStatus

OBJECT_LABELS: dict[str, str] = {
    "Application": "保証申込",
    "Guarantee": "保証契約",
    "Certificate": "電子証書",
    "Amendment": "変更契約",
    "AmendmentRequest": "変更申込",
    "AccessKey": "認証キー",
    "ApiToken": "APIトークン",
    "ImportBatch": "一括取込",
    "OutboxMessage": "送信メール",
    "Orderer": "発注者",
    "PremiumRate": "保証料率",
    "Receipt": "受領記録",
    "User": "利用者",
    "UsageApplication": "利用申込",
    "NoticeDispatch": "認証キー等のお知らせの送信",
    "AdvanceAccount": "前払金専用口座",
    "Deposit": "入金",
    "UseStatement": "前払金使途内訳明細書",
    "ProofDocument": "確認書類",
    "Payee": "支払先",
    "Withdrawal": "払出依頼",
    "Claim": "履行請求",
}

FIELD_LABELS: dict[str, str] = {
    "status": "状態",
    "number": "保証契約番号",
    "guarantee_number": "保証契約番号",
    "guarantee": "保証契約番号",
    "version": "版",
    "kind": "区分",
    "work_category": "業務区分",
    "work_name": "工事名",
    "contract_date": "契約締結日",
    "completion_date": "工事末日",
    "period_end": "保証期間",
    "contract_price": "請負金額(総額)",
    "contract_price_consideration": "請負金額(対価額)",
    "guaranteed_amount": "保証金額",
    "delivery_method": "受取方法",
    "electronic": "電子交付",
    "premium": "保証料",
    "payment_received_on": "入金日",
    "reason": "理由",
    "attempts": "試行回数",
    "last_error": "直近のエラー",
    "subject": "件名",
    "file_name": "ファイル名",
    "file_size": "サイズ(バイト)",
    "line_count": "データ行数",
    "imported_count": "取込件数",
    "error_count": "エラー件数",
    "import_batch": "一括取込",
    "mails": "お知らせメール",
    "limits": "制限",
    "client_ip": "接続元アドレス",
    "orderer_id": "発注者ID",
    "name": "名称",
    "organisation_name": "機関名",
    "postal_code": "郵便番号",
    "address": "所在地",
    "notice_subject_template": "認証キー送信メールの件名",
    "adoptions": "電子交付の導入範囲",
    "departments": "部署と通知先",
    # 変更申請
    "amendment_type": "変更の種類",
    "effective_on": "変更日",
    "statement": "保証料書類",
    "statement_amount": "保証料書類の金額",
    # 認証キー
    "purpose": "目的",
    "department": "部署",
    "email": "メールアドレス",
    "outbox_id": "送信メールID",
    # 前払金
    "bank": "金融機関",
    "bank_branch": "支店",
    "branch": "支店",
    "account_type": "預金種目",
    "account_number": "口座番号",
    "holder_kana": "口座名義（カナ）",
    "is_active": "台帳に登録中",
    "amount": "金額",
    "booked_on": "入金日",
    "note": "備考",
    "advance_amount": "前払金額",
    "lines": "使途内訳",
    "statement_version": "明細書の版",
    "line_no": "行番号",
    "size": "サイズ(バイト)",
    "sha256": "ハッシュ値(SHA-256)",
    "payee_name": "支払先",
    "paid_on": "払出日",
    # 完成・履行請求
    "completed_on": "完成日",
    "inspected_on": "完成検査日",
    "source": "記録の経緯",
    "claim": "履行請求番号",
    "claimed_amount": "請求額",
    "assessed_amount": "保証金の査定額",
    "assessed_work_done_value": "既済部分の代価（査定）",
    "decision": "決定",
    "paid_amount": "支払額",
    "termination_date": "契約解除日",
    "termination_reason": "解除の事由",
    "advance_paid": "支払済の前払金",
    "interim_advance_paid": "支払済の中間前払金",
    "progress_paid": "支払済の出来形払（部分払）",
    "work_done_value": "既済部分の代価",
    "documents": "添付書類",
    "message": "連絡",
    "subrogated_balance": "代位取得した前払金残高",
}


# Where a field means something else on a row type than FIELD_LABELS says.
ROW_FIELD_LABELS: dict[tuple[str, str], str] = {
    ("Withdrawal", "number"): "払出依頼番号",
    ("Claim", "number"): "履行請求番号",
    ("Payee", "name"): "支払先名",
    ("ProofDocument", "name"): "ファイル名",
    ("Deposit", "kind"): "種類",
    ("ProofDocument", "kind"): "書類の種類",
}


def field_label(field: str, *, object_type: str = "") -> str:
    return ROW_FIELD_LABELS.get((object_type, field)) or FIELD_LABELS.get(field, field)


def _labels(*choices: type[models.Choices]) -> dict[str, str]:
    return {str(value): str(label) for c in choices for value, label in c.choices}


# Codes that mean one thing wherever they are found.
VALUE_LABELS: dict[str, str] = _labels(
    GuaranteeKind,
    WorkCategory,
    DeliveryMethod,
    AmendmentType,
    TerminationReason,
    Decision,
    CompletionSource,
    UseCategory,
    WithdrawalMethod,
) | {"user": "利用者ごと", "address": "接続元アドレスごと", "number": "保証契約番号ごと"}

# Codes whose word depends on the row: REJECTED is 否決 on an application but エラー on a bulk
# import, ACTIVE is 有効 on a guarantee but 払出可 on an advance account. "" is any row type.
_STATUS = "status"
ROW_VALUE_LABELS: dict[tuple[str, str], dict[str, str]] = {
    ("Application", _STATUS): _labels(ApplicationStatus),
    ("Guarantee", _STATUS): _labels(GuaranteeStatus),
    ("ImportBatch", _STATUS): _labels(ImportStatus),
    ("OutboxMessage", _STATUS): _labels(OutboxStatus),
    ("AmendmentRequest", _STATUS): _labels(AmendmentRequestStatus),
    ("Claim", _STATUS): _labels(ClaimStatus),
    ("Withdrawal", _STATUS): _labels(WithdrawalStatus),
    ("UseStatement", _STATUS): _labels(StatementStatus),
    ("AdvanceAccount", _STATUS): _labels(AccountStatus),
    ("AdvanceAccount", "account_type"): _labels(AccountType),
    ("Payee", "account_type"): _labels(PayeeAccountType),
    ("Deposit", "kind"): _labels(DepositKind),
    ("ProofDocument", "kind"): _labels(ProofKind),
    # A status of a row type not listed above (a certificate's, say) still reads in words.
    ("", _STATUS): _labels(ApplicationStatus, GuaranteeStatus, ImportStatus, OutboxStatus),
    # Why a contractor revealed a key (guarantees.services.access_keys.REVEAL_ACTIONS).
    ("", "purpose"): {
        "view": "認証キーの表示",
        "notice_pdf": "「認証キー等のお知らせ」(PDF)の取得",
        "system": "自社システム（API）への受け渡し",
    },
}

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _code_text(value: str, object_type: str, field: str) -> str:
    """A stored string as the screens say it: a code in words, an ISO date as 2026/05/21."""
    for key in ((object_type, field), ("", field)):
        row = ROW_VALUE_LABELS.get(key)
        if row is not None and value in row:
            return row[value]
    if _ISO_DATE.fullmatch(value):
        return value.replace("-", "/")
    return VALUE_LABELS.get(value, value)


# Fields that hold yen: the log prints them as the screens do, 「3,450,000円」.
MONEY_FIELDS = frozenset(
    {
        "contract_price",
        "contract_price_consideration",
        "guaranteed_amount",
        "premium",
        "statement_amount",
        "amount",
        "advance_amount",
        "claimed_amount",
        "assessed_amount",
        "assessed_work_done_value",
        "paid_amount",
        "advance_paid",
        "interim_advance_paid",
        "progress_paid",
        "work_done_value",
        "subrogated_balance",
    }
)


def value_text(value: Any, *, object_type: str = "", field: str = "") -> str:
    """One recorded value, before or after, as the log's table shows it."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, int):
        return f"{value:,}円" if field in MONEY_FIELDS else f"{value:,}"
    if isinstance(value, str):
        return _code_text(value, object_type, field)
    special = _SPECIAL.get(field)
    if special is not None:
        return special(value)
    if isinstance(value, list):
        return "、".join(value_text(v, object_type=object_type, field=field) for v in value)
    return json.dumps(value, ensure_ascii=False)


def _departments_text(rows: Any) -> str:
    """An orderer's departments as the screens show them: 「工事担当課 a@b（前払・中間前払）」."""
    if not isinstance(rows, list):
        return value_text(rows)
    out = []
    for row in rows:
        if not (isinstance(row, list) and len(row) == 3):
            return value_text(rows)
        kinds = "・".join(VALUE_LABELS.get(k, k) for k in str(row[2]).split(",") if k)
        out.append(f"{row[0]} {row[1]}（{kinds or '受け付ける区分なし'}）")
    return " / ".join(out) or "（なし）"


def _lines_text(rows: Any) -> str:
    """A use statement's lines (行, 使途, 支払先, 金額, 支払予定日, 払出方法), one after another:
    「1 材料費 株式会社△△資材 15,000,000円 2026/06/30 振込」."""
    if not isinstance(rows, list) or not all(isinstance(r, list) and len(r) == 6 for r in rows):
        return json.dumps(rows, ensure_ascii=False)
    out = []
    for no, use, payee, amount, due, method in rows:
        words = [
            str(no),
            value_text(use),
            payee or "（支払先未定）",
            value_text(amount, field="amount"),
            value_text(due),
        ]
        out.append(" ".join([*words, value_text(method)]))
    return " / ".join(out) or "（なし）"


def _documents_text(rows: Any) -> str:
    """Attached documents: 「解除通知書 kaijo-tsuchisho.pdf（125バイト）」."""
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        return json.dumps(rows, ensure_ascii=False)
    out = [f"{r.get('title', '')} {r.get('name', '')}（{value_text(r.get('size'))}バイト）".strip() for r in rows]
    return " / ".join(out) or "（なし）"


_SPECIAL: dict[str, Callable[[Any], str]] = {
    "departments": _departments_text,
    "lines": _lines_text,
    "documents": _documents_text,
}

SYSTEM_ACTOR = "system"  # the actor_label audit.services records when no person acted


def actor_text(actor_label: str, *, has_actor: bool) -> str:
    return "システム（自動処理）" if not has_actor and actor_label == SYSTEM_ACTOR else actor_label
