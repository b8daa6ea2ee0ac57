"""The seed's 〇〇道路改良工事 advance after its certificate: account, statement, withdrawals.

The leaflet stops at the certificate; issue 13 follows the 40,000,000円 advance
to 〇〇銀行 ▲▲支店, the bank its certificate names. Every step goes through the
advances services on the timeline, dated in 令和8年 after the guarantee was
issued (2026-04-24): the contractor registers its 前払金専用口座, the bank books
the orderer's advance, the contractor submits its 前払金使途内訳明細書 with its
proofs, a clerk checks it and an approver accepts it (four eyes), then the
contractor asks for withdrawals that the bank pays, one returned with a reason
and asked again, and one still waiting at the bank on the demo's today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial

from django.core.files.base import ContentFile
from django.db.models import Model

from esurety.advances import services as advances
from esurety.advances.kinds import (
    AccountType,
    DepositKind,
    PayeeAccountType,
    ProofKind,
    UseCategory,
    WithdrawalMethod,
)
from esurety.advances.models import AdvanceAccount, Payee, UseStatement, Withdrawal
from esurety.core.clock import business_date

from .calendar import DEMO_TODAY, HISTORY_ENDS, moment, weekday_on_or_after, weekdays_before
from .parties import Cast
from .plans import Plan, SeedError
from .timeline import Timeline

ACCOUNT_NUMBER = "1234567"
HOLDER_KANA = "カ)マルマルケンセツ"
INTEREST = 1_234  # 利息: not advance money, never withdrawn through a request


@dataclass(frozen=True)
class Line:
    category: str
    payee: str  # "" is 未定
    amount: int
    planned_on: dt.date
    method: str = WithdrawalMethod.TRANSFER
    proof: str = ""  # the document the contractor attaches (ProofKind), if the use needs one


# 40,000,000円 in all, 未定 included (the rules: the lines add up exactly to the advance).
LINES = (
    Line(UseCategory.MATERIALS, "株式会社△△資材", 15_000_000, dt.date(2026, 6, 30), proof=ProofKind.ORDER_ACCEPTANCE),
    Line(UseCategory.SUBCONTRACT, "株式会社□□工業", 12_000_000, dt.date(2026, 7, 31), proof=ProofKind.SUBCONTRACT),
    Line(UseCategory.LABOUR, "株式会社〇〇建設（直用）", 5_000_000, dt.date(2026, 6, 25), WithdrawalMethod.CASH),
    Line(UseCategory.EQUIPMENT_RENTAL, "▲▲リース株式会社", 3_000_000, dt.date(2026, 7, 10)),
    Line(UseCategory.MATERIALS, "", 5_000_000, dt.date(2026, 10, 30)),
)

# The contractor's 振込先台帳.
PAYEES = {
    "株式会社△△資材": advances.PayeeInput(
        name="株式会社△△資材",
        bank_name="□□信用金庫",
        bank_code="1234",
        branch_name="本店",
        branch_code="001",
        account_type=PayeeAccountType.ORDINARY,
        account_number="7654321",
        holder_kana="カ)サンカクシザイ",
    ),
    "株式会社□□工業": advances.PayeeInput(
        name="株式会社□□工業",
        bank_name="〇〇銀行",
        bank_code="0123",
        branch_name="本店営業部",
        branch_code="001",
        account_type=PayeeAccountType.CURRENT,
        account_number="0301122",
        holder_kana="カ)シカクコウギヨウ",
    ),
    "▲▲リース株式会社": advances.PayeeInput(
        name="▲▲リース株式会社",
        bank_name="瀬戸内みなと銀行",
        bank_code="0567",
        branch_name="県庁前支店",
        branch_code="210",
        account_type=PayeeAccountType.ORDINARY,
        account_number="2468024",
        holder_kana="サンカクリ-ス(カ",
    ),
}
# The request the bank returns: typed by hand with the holder of another company.
MISTYPED = advances.PayeeInput(
    **{**PAYEES["▲▲リース株式会社"].__dict__, "holder_kana": "サンカクリ-シング(カ"},
)
RETURN_REASON = (
    "振込先の口座名義（サンカクリ-シング(カ）が支払先「▲▲リース株式会社」の口座名義と一致しません。"
    "口座名義をご確認のうえ、改めてご依頼ください。"
)


@dataclass(frozen=True)
class Ask:
    """One 払出依頼書 and what the bank does with it."""

    asked: dt.datetime
    line_no: int
    amount: int
    payee: str
    decided: dt.datetime | None  # None: still 依頼中 on the demo's today
    returned: bool = False
    typed_payee: advances.PayeeInput | None = None


def _at(month: int, day: int, hh: int, mm: int) -> dt.datetime:
    return moment(dt.date(2026, month, day), hh, mm)


ASKS = (
    Ask(_at(5, 20, 10, 15), 1, 6_000_000, "株式会社△△資材", _at(5, 21, 10, 5)),
    Ask(_at(6, 10, 11, 0), 2, 4_800_000, "株式会社□□工業", _at(6, 11, 9, 40)),
    Ask(_at(6, 24, 14, 30), 3, 1_500_000, "株式会社〇〇建設（直用）", _at(6, 25, 9, 30)),
    Ask(_at(7, 6, 15, 20), 4, 900_000, "▲▲リース株式会社", _at(7, 7, 10, 10), returned=True, typed_payee=MISTYPED),
    Ask(_at(7, 8, 9, 50), 4, 900_000, "▲▲リース株式会社", _at(7, 9, 11, 0)),
    Ask(_at(9, 15, 13, 45), 1, 4_000_000, "株式会社△△資材", _at(9, 16, 10, 20)),
    Ask(_at(10, 28, 10, 30), 2, 3_600_000, "株式会社□□工業", _at(10, 29, 14, 0)),
)


def _proof_pdf(title: str) -> bytes:
    """A one-page PDF standing in for a scanned proof (ASCII only: no font to embed)."""
    text = f"BT /F1 18 Tf 72 760 Td (esurety demo: {title}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(text)).encode() + b" >>\nstream\n" + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


@dataclass
class AdvanceStory:
    """The steps of the seed's advance, put on the timeline by `schedule`."""

    cast: Cast
    road: Plan
    account: AdvanceAccount | None = None
    statement: UseStatement | None = None
    payees: dict[str, Payee] = field(default_factory=dict)
    withdrawals: list[Withdrawal] = field(default_factory=list)
    timeline: Timeline | None = None

    def _stamp(self, model: type[Model], pk: int, at: dt.datetime, *, created: bool = False) -> None:
        """Rows Django time-stamps itself get the story's moment (Timeline applies them at the end)."""
        if self.timeline is not None:
            self.timeline.stamps.touch(model, pk, at, created=created)

    def schedule(self, timeline: Timeline) -> None:
        self.timeline = timeline
        add = timeline.add_step
        add(_at(4, 27, 10, 20), self._open)
        add(_at(4, 27, 10, 40), self._book_payees)
        add(_at(5, 8, 11, 0), self._deposit_advance)
        add(_at(5, 11, 9, 30), self._write_statement)
        add(_at(5, 11, 10, 5), self._submit)
        add(_at(5, 12, 10, 30), self._review)
        add(_at(5, 12, 14, 0), self._accept)
        for ask in ASKS:
            add(ask.asked, partial(self._request, ask))
        add(_at(9, 30, 9, 15), self._interest)
        # One request waits at the bank on the demo's today: the bank desk has work, and the
        # surety's home counts it. Asked the working day before, for today.
        waiting = moment(weekdays_before(DEMO_TODAY, 1), 15, 10)
        if waiting > HISTORY_ENDS:
            raise SeedError("the waiting withdrawal would be dated after the demo's today")
        pending = Ask(waiting, 1, 2_500_000, "株式会社△△資材", None)
        add(waiting, partial(self._request, pending))

    # -- steps ---------------------------------------------------------------------

    def _open(self) -> None:
        if self.road.guarantee is None:
            raise SeedError("the road advance is not concluded before its account is opened")
        self.account = advances.account_open(
            guarantee=self.road.guarantee,
            by=self.cast.seed_contractor.user,
            data=advances.AccountInput(
                bank_branch_id=self.cast.bank.branch.pk,
                account_type=AccountType.ORDINARY,
                account_number=ACCOUNT_NUMBER,
                holder_kana=HOLDER_KANA,
            ),
            now=_at(4, 27, 10, 20),
        )
        self._stamp(AdvanceAccount, self.account.pk, _at(4, 27, 10, 20), created=True)

    def _book_payees(self) -> None:
        at = _at(4, 27, 10, 40)
        for name, data in PAYEES.items():
            self.payees[name] = advances.payee_save(by=self.cast.seed_contractor.user, data=data, now=at)
            self._stamp(Payee, self.payees[name].pk, at, created=True)

    def _deposit_advance(self) -> None:
        at = _at(5, 8, 11, 0)
        advances.deposit_record(
            account=self._account(),
            by=self.cast.bank.user,
            kind=DepositKind.ADVANCE,
            amount=self.road.guaranteed_amount,
            booked_on=business_date(at),
            note="徳島市上下水道事業管理者 前払金",
            now=at,
        )

    def _interest(self) -> None:
        at = _at(9, 30, 9, 15)
        advances.deposit_record(
            account=self._account(),
            by=self.cast.bank.user,
            kind=DepositKind.INTEREST,
            amount=INTEREST,
            booked_on=business_date(at),
            note="決算利息",
            now=at,
        )

    def _write_statement(self) -> None:
        at = _at(5, 11, 9, 30)
        user = self.cast.seed_contractor.user
        statement = advances.use_statement_create(
            account=self._account(),
            by=user,
            lines=[
                advances.LineInput(
                    category=x.category, payee_name=x.payee, amount=x.amount, planned_on=x.planned_on, method=x.method
                )
                for x in LINES
            ],
            now=at,
        )
        for line in statement.lines.order_by("position"):
            spec = LINES[line.position - 1]
            if spec.proof:
                label = ProofKind(spec.proof).label
                advances.proof_attach(
                    statement=statement,
                    by=user,
                    line_no=line.line_no,
                    kind=spec.proof,
                    upload=ContentFile(_proof_pdf(spec.proof.lower()), name=f"{label}_{line.payee_name}.pdf"),
                    now=at + dt.timedelta(minutes=10 + line.position),
                )
        self.statement = statement
        self._stamp(UseStatement, statement.pk, at, created=True)

    def _submit(self) -> None:
        at = _at(5, 11, 10, 5)
        self.statement = advances.use_statement_submit(
            statement=self._statement(), by=self.cast.seed_contractor.user, now=at
        )
        self._stamp(UseStatement, self.statement.pk, at)

    def _review(self) -> None:
        at = _at(5, 12, 10, 30)
        self.statement = advances.use_statement_review(statement=self._statement(), by=self.cast.west.clerk, now=at)
        self._stamp(UseStatement, self.statement.pk, at)

    def _accept(self) -> None:
        # Four eyes: accepted by an approver, not the clerk who checked it.
        at = _at(5, 12, 14, 0)
        self.statement = advances.use_statement_accept(statement=self._statement(), by=self.cast.west.approver, now=at)
        self._stamp(UseStatement, self.statement.pk, at)

    def _request(self, ask: Ask) -> None:
        desired = weekday_on_or_after(business_date(ask.decided or ask.asked))
        if ask.decided is None:
            desired = DEMO_TODAY
        data = advances.WithdrawalInput(
            account_id=self._account().pk,
            line_no=ask.line_no,
            amount=ask.amount,
            desired_on=desired,
            payee=ask.typed_payee or (None if ask.payee in self.payees else advances.PayeeInput(name=ask.payee)),
            # From the payee book where the payee is in it; cash to the contractor itself by name only.
            payee_id=self.payees[ask.payee].pk if ask.typed_payee is None and ask.payee in self.payees else None,
        )
        w = advances.withdrawal_request(by=self.cast.seed_contractor.user, data=data, now=ask.asked)
        self.withdrawals.append(w)
        if ask.decided is None:
            return
        if ask.returned:
            advances.withdrawal_return(withdrawal=w, by=self.cast.bank.user, reason=RETURN_REASON, now=ask.decided)
        else:
            advances.withdrawal_pay(
                withdrawal=w, by=self.cast.bank.user, paid_on=business_date(ask.decided), now=ask.decided
            )

    def _account(self) -> AdvanceAccount:
        if self.account is None:
            raise SeedError("an advance step came before the account was opened")
        return self.account

    def _statement(self) -> UseStatement:
        if self.statement is None:
            raise SeedError("a statement step came before the statement was written")
        return self.statement
