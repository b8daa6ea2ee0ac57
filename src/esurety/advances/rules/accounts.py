"""Rules of the 前払金専用口座 and of the payees (支払先) a statement pays."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from esurety.advances.kinds import (
    AccountType,
    PayeeAccountType,
)
from esurety.advances.rules.normalize import normalize_account_number, normalize_digits, normalize_kana, normalize_name
from esurety.advances.rules.terms import HOLDER_KANA_MAX, NAME_MAX
from esurety.core.errors import RuleViolation

# 口座名義 in the characters banks' transfer files accept.
_HOLDER_KANA = re.compile(r"^[ア-ヴー0-9A-Z ().,\-/]+$")


@dataclass(frozen=True)
class AccountInput:
    """The 前払金専用口座 as the contractor or the surety enters it."""

    bank_branch_id: int
    account_type: str
    account_number: str
    holder_kana: str

    def normalized(self) -> AccountInput:
        return replace(
            self,
            account_number=normalize_account_number(self.account_number),
            holder_kana=normalize_kana(self.holder_kana),
        )


def check_account(data: AccountInput) -> list[RuleViolation]:
    out: list[RuleViolation] = []
    if data.account_type not in AccountType.values:
        out.append(RuleViolation("account_type", "預金種目（普通預金・決済用預金）を選んでください。"))
    out += _account_number_rules("account_number", data.account_number)
    out += _holder_rules("holder_kana", data.holder_kana)
    return out


def _account_number_rules(field: str, number: str) -> list[RuleViolation]:
    if not number:
        return [RuleViolation(field, "口座番号を入力してください。")]
    if not (number.isascii() and number.isdigit() and len(number) == 7):
        return [RuleViolation(field, "口座番号は7桁以内の数字で入力してください。")]
    return []


def _holder_rules(field: str, holder: str) -> list[RuleViolation]:
    if not holder:
        return [RuleViolation(field, "口座名義をカナで入力してください。")]
    if len(holder) > HOLDER_KANA_MAX:
        return [RuleViolation(field, f"口座名義は{HOLDER_KANA_MAX}文字以内で入力してください。")]
    if not _HOLDER_KANA.match(holder):
        return [
            RuleViolation(
                field,
                "口座名義はカナ・英大文字・数字と記号 ( ) . , - / で入力してください（例: カ)マルマルケンセツ）。",
            )
        ]
    return []


@dataclass(frozen=True)
class PayeeInput:
    """支払先 and its account, as entered in a request or the payee book."""

    name: str
    bank_name: str = ""
    bank_code: str = ""
    branch_name: str = ""
    branch_code: str = ""
    account_type: str = ""
    account_number: str = ""
    holder_kana: str = ""

    def normalized(self) -> PayeeInput:
        return PayeeInput(
            name=normalize_name(self.name),
            bank_name=normalize_name(self.bank_name),
            bank_code=normalize_digits(self.bank_code),
            branch_name=normalize_name(self.branch_name),
            branch_code=normalize_digits(self.branch_code),
            account_type=self.account_type.strip(),
            account_number=normalize_account_number(self.account_number) if self.account_number.strip() else "",
            holder_kana=normalize_kana(self.holder_kana),
        )

    @property
    def has_account(self) -> bool:
        return bool(self.bank_name or self.branch_name or self.account_number or self.holder_kana)


def check_payee(payee: PayeeInput, *, needs_account: bool, prefix: str = "") -> list[RuleViolation]:
    """A payee paid by transfer needs a full account; one paid in cash only a name."""
    out: list[RuleViolation] = []

    def add(field: str, message: str) -> None:
        out.append(RuleViolation(prefix + field, message))

    if not payee.name:
        add("name", "支払先名を入力してください。")
    elif payee.name == "未定":
        add("name", "支払先名を入力してください（未定の支払先には払い出せません）。")
    elif len(payee.name) > NAME_MAX:
        add("name", f"支払先名は{NAME_MAX}文字以内で入力してください。")
    if not (needs_account or payee.has_account):
        return out
    if not payee.bank_name:
        add("bank_name", "振込先の金融機関名を入力してください。")
    elif len(payee.bank_name) > NAME_MAX:
        add("bank_name", f"金融機関名は{NAME_MAX}文字以内で入力してください。")
    if payee.bank_code and not (payee.bank_code.isascii() and payee.bank_code.isdigit() and len(payee.bank_code) == 4):
        add("bank_code", "金融機関コードは4桁の数字で入力してください（分からなければ空欄）。")
    if not payee.branch_name:
        add("branch_name", "振込先の支店名を入力してください。")
    elif len(payee.branch_name) > NAME_MAX:
        add("branch_name", f"支店名は{NAME_MAX}文字以内で入力してください。")
    if payee.branch_code and not (
        payee.branch_code.isascii() and payee.branch_code.isdigit() and len(payee.branch_code) == 3
    ):
        add("branch_code", "支店コードは3桁の数字で入力してください（分からなければ空欄）。")
    if payee.account_type not in PayeeAccountType.values:
        add("account_type", "預金種目（普通・当座・貯蓄）を選んでください。")
    for v in _account_number_rules("account_number", payee.account_number):
        add(v.field, v.message)
    for v in _holder_rules("holder_kana", payee.holder_kana):
        add(v.field, v.message)
    return out
