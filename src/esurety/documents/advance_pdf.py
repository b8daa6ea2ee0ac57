"""The advance money's documents (issue 13): 前払金使途内訳明細書 (each version) and 前払金払出依頼書.

Both are signed by the guarantee's surety and registered like every issued
document, so that /check/ can tell a bank or an orderer whether a file it was
handed is exactly what esurety issued. They are rendered on request from rows
that never change once submitted (a statement version under examination or
decided is not edited; a withdrawal request keeps its payee as requested), with
the state as of the rendering printed on the page: the same version downloaded
after its acceptance says 承認済 and by whom.

Callers scope the statement or request to the user first (advances.selectors)
and send the bytes with web.downloads.attachment and the ``*_filename`` helpers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from esurety.advances.kinds import ProofKind, StatementStatus, WithdrawalStatus
from esurety.advances.models import AdvanceAccount, UseStatement, Withdrawal
from esurety.advances.rules import PROOF_REQUIREMENTS
from esurety.core.clock import business_date
from esurety.core.kinds import kind_full_name
from esurety.core.money import format_yen
from esurety.core.wareki import format_wareki
from esurety.documents import qr
from esurety.documents.pdf import pdf_filename, render_document, wareki_datetime
from esurety.signing.models import DocumentKind
from esurety.signing.services import pdf_sign

STATEMENT_TITLE = "前払金使途内訳明細書"
WITHDRAWAL_TITLE = "前払金払出依頼書"


@dataclass(frozen=True)
class _LineRow:
    line_no: int
    category: str
    payee: str
    amount: str
    planned_on: str
    method: str
    proofs: str


def _account_rows(account: AdvanceAccount) -> list[tuple[str, str]]:
    return [
        ("預託金融機関", f"{account.bank.name} {account.bank_branch.name}"),
        ("口座番号", f"{account.get_account_type_display()} {account.account_number}"),
        ("口座名義", account.holder_kana),
    ]


def _guarantee_rows(account: AdvanceAccount) -> list[tuple[str, str]]:
    g = account.guarantee
    return [
        ("保証契約番号", g.number),
        ("区分", kind_full_name(g.kind)),
        ("工事名", g.work_name),
        ("発注者", g.orderer.name),
        ("工事末日", format_wareki(g.completion_date, padded=False)),
    ]


def _actor(user: object) -> str:
    name = getattr(user, "display_name", "") or getattr(user, "username", "")
    return str(name)


def _statement_state(st: UseStatement) -> tuple[str, list[str]]:
    """The state printed on the page and what a reader of it must not miss."""
    notes: list[str] = []
    if st.status == StatementStatus.ACCEPTED and st.decided_at is not None:
        notes.append(f"{format_wareki(business_date(st.decided_at), padded=False)}に保証会社が承認しました。")
    elif st.status == StatementStatus.SUPERSEDED:
        notes.append("この版は使途変更により変更前の版となりました。現在の内容は最新の版をご確認ください。")
    elif st.status == StatementStatus.RETURNED:
        notes.append(f"この版は差し戻されました。理由: {st.return_reason}")
    elif st.status in (StatementStatus.SUBMITTED, StatementStatus.REVIEWED):
        notes.append("この版は保証会社の審査中です（承認前）。払出はできません。")
    elif st.status == StatementStatus.DRAFT:
        notes.append("この版は下書きです（未提出）。")
    return st.get_status_display(), notes


def use_statement_pdf(*, statement: UseStatement, now: dt.datetime) -> bytes:
    """One version of the 前払金使途内訳明細書 with its lines, their proofs and its state, signed."""
    st = (
        UseStatement.objects.select_related(
            "account__guarantee__surety",
            "account__guarantee__branch",
            "account__guarantee__contractor",
            "account__guarantee__orderer",
            "account__bank",
            "account__bank_branch",
            "decided_by",
        )
        .prefetch_related("lines", "proofs")
        .get(pk=statement.pk)
    )
    account = st.account
    g = account.guarantee
    surety = g.surety
    proof_kinds: dict[int, set[str]] = {}
    for proof in st.proofs.all():
        proof_kinds.setdefault(proof.line_no, set()).add(proof.kind)
    rows: list[_LineRow] = []
    undecided = 0
    for line in sorted(st.lines.all(), key=lambda x: x.position):
        kinds = proof_kinds.get(line.line_no, set())
        if line.is_undecided:
            undecided += line.amount
            proofs = "―（支払先未定）"
        elif kinds:
            proofs = "・".join(ProofKind(k).label for k in ProofKind.values if k in kinds)
        elif not PROOF_REQUIREMENTS.get(line.category):
            proofs = "不要"
        else:
            proofs = "なし"
        rows.append(
            _LineRow(
                line_no=line.line_no,
                category=line.get_category_display(),
                payee=line.payee_name or "未定",
                amount=format_yen(line.amount),
                planned_on=format_wareki(line.planned_on, padded=False),
                method=line.get_method_display(),
                proofs=proofs,
            )
        )
    state, notes = _statement_state(st)
    is_change = st.version > 1
    title = f"{STATEMENT_TITLE}（使途変更）" if is_change else STATEMENT_TITLE
    context = {
        "title": title,
        "version": st.version,
        "is_change": is_change,
        "change_reason": st.change_reason,
        "submitted_on": format_wareki(business_date(st.submitted_at), padded=False) if st.submitted_at else "",
        "created": wareki_datetime(now),
        "surety_name": surety.name,
        "branch_name": g.branch.name if g.branch_id else "",
        "contractor_name": g.contractor.name,
        "contractor_address": g.contractor.address,
        "contractor_representative": f"{g.contractor.representative_title} {g.contractor.representative_name}".strip(),
        "guarantee_rows": _guarantee_rows(account),
        "account_rows": _account_rows(account),
        "advance_amount": format_yen(st.advance_amount),
        "lines": rows,
        "total": format_yen(sum(line.amount for line in st.lines.all())),
        "undecided": format_yen(undecided) if undecided else "",
        "state": state,
        "accepted": st.status in (StatementStatus.ACCEPTED, StatementStatus.SUPERSEDED) and st.decided_at is not None,
        "accepted_on": format_wareki(business_date(st.decided_at), padded=False) if st.decided_at else "",
        "notes": notes,
        "qr_image": qr.qr_png_data_uri(qr.check_page_url()),
        "check_page_url": qr.check_page_url(),
    }
    rendered = render_document(
        document="use_statement",
        context=context,
        title=f"{title}（{g.number} 第{st.version}版）",
        author=surety.name,
        created=now,
    )
    return pdf_sign(
        rendered,
        surety=surety,
        kind=DocumentKind.USE_STATEMENT,
        guarantee=g,
        certificate_version=None,
        statement_version=st.version,
        now=now,
    )


def use_statement_filename(statement: UseStatement) -> str:
    return pdf_filename(STATEMENT_TITLE, statement.account.guarantee.number, f"第{statement.version}版")


def withdrawal_request_pdf(*, withdrawal: Withdrawal, now: dt.datetime) -> bytes:
    """One 払出依頼書 as the contractor made it, addressed to the bank that holds the account, signed."""
    w = Withdrawal.objects.select_related(
        "account__guarantee__surety",
        "account__guarantee__contractor",
        "account__guarantee__orderer",
        "account__bank",
        "account__bank_branch",
        "statement",
        "requested_by",
    ).get(pk=withdrawal.pk)
    account = w.account
    g = account.guarantee
    surety = g.surety
    payee_rows = [("支払先", w.payee_name)]
    if w.payee_account_number:
        bank = f"{w.payee_bank_name}（{w.payee_bank_code}）" if w.payee_bank_code else w.payee_bank_name
        branch = f"{w.payee_branch_name}（{w.payee_branch_code}）" if w.payee_branch_code else w.payee_branch_name
        kind = w.get_payee_account_type_display() if w.payee_account_type else ""
        payee_rows += [
            ("振込先金融機関", bank),
            ("支店", branch),
            ("口座番号", f"{kind} {w.payee_account_number}".strip()),
            ("口座名義（カナ）", w.payee_holder_kana),
        ]
    if w.status == WithdrawalStatus.PAID and w.paid_on is not None:
        state_note = f"{format_wareki(w.paid_on, padded=False)}に払出済みです。"
    elif w.status == WithdrawalStatus.RETURNED:
        state_note = f"金融機関が差し戻しました。理由: {w.return_reason}"
    else:
        state_note = "金融機関の払出を待っています。"
    context = {
        "title": WITHDRAWAL_TITLE,
        "number": w.number,
        "requested_on": format_wareki(w.requested_on, padded=False),
        "created": wareki_datetime(now),
        "bank_name": account.bank.name,
        "bank_branch_name": account.bank_branch.name,
        "contractor_name": g.contractor.name,
        "contractor_address": g.contractor.address,
        "requested_by": _actor(w.requested_by),
        "amount": format_yen(w.amount),
        "account_rows": [*_account_rows(account), ("保証会社", surety.name)],
        "guarantee_rows": _guarantee_rows(account),
        "use_rows": [
            ("使途", f"{w.get_category_display()}（明細書 第{w.statement.version}版 行{w.line_no}）"),
            ("払出方法", w.get_method_display()),
            ("払出希望日", format_wareki(w.desired_on, padded=False)),
        ],
        "payee_rows": payee_rows,
        "state": w.get_status_display(),
        "state_note": state_note,
        "qr_image": qr.qr_png_data_uri(qr.check_page_url()),
        "check_page_url": qr.check_page_url(),
    }
    rendered = render_document(
        document="withdrawal_request",
        context=context,
        title=f"{WITHDRAWAL_TITLE}（{w.number}）",
        author=surety.name,
        created=now,
    )
    return pdf_sign(
        rendered,
        surety=surety,
        kind=DocumentKind.WITHDRAWAL_REQUEST,
        guarantee=g,
        certificate_version=None,
        statement_version=w.statement.version,
        now=now,
    )


def withdrawal_request_filename(withdrawal: Withdrawal) -> str:
    return pdf_filename(WITHDRAWAL_TITLE, withdrawal.number)
