"""保証申込 form (seed STEP 1).

The form checks types only: a draft may break every business rule. The
rules live in guarantees/rules.py and are enforced by the service when the
contractor presses 「申込む」; their violations come back through
`add_violations` and are shown beside the field they name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from esurety.core.errors import DomainError
from esurety.core.kinds import (
    ADVANCE_KINDS,
    KIND_FULL_NAMES,
    DeliveryMethod,
    GuaranteeKind,
    WorkCategory,
)
from esurety.core.money import format_yen
from esurety.core.wareki import ERAS, format_wareki
from esurety.guarantees import rules
from esurety.guarantees.models import Application, Guarantee, GuaranteeStatus
from esurety.guarantees.services import ApplicationInput
from esurety.parties.models import Branch, Contractor, ElectronicAdoption, Orderer
from esurety.web.forms import BusinessDateField, TextField, YenField

# Kinds that rely on an advance guarantee on the same works (rules._dependency_rules).
KINDS_NEEDING_ADVANCE: frozenset[str] = frozenset({GuaranteeKind.INTERIM_ADVANCE, GuaranteeKind.PERFORMANCE})

KIND_CHOICES = [
    (GuaranteeKind.ADVANCE.value, "前払金保証"),
    (GuaranteeKind.INTERIM_ADVANCE.value, "中間前払金保証"),
    (GuaranteeKind.PERFORMANCE.value, "契約保証"),
    (GuaranteeKind.PERFORMANCE_RESERVATION.value, "契約保証予約（書面のみ）"),
]
DELIVERY_CHOICES = [
    (DeliveryMethod.ELECTRONIC.value, "電子交付を希望する"),
    (DeliveryMethod.PAPER.value, "書面"),
]


def _required(message: str) -> dict[str, str]:
    return {"required": message}


class AdvanceGuaranteeSelect(forms.Select):
    """Options carry the orderer and 工事名 so that the page script can filter and prefill."""

    option_data: dict[str, tuple[int, str]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.option_data = {}

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        data = self.option_data.get(str(option["value"]))
        if data is not None:
            option["attrs"]["data-orderer"] = str(data[0])
            option["attrs"]["data-work-name"] = data[1]
        return option


def electronic_refusal(
    *, orderer: Orderer | None, kind: str, work_category: str, contract_date: dt.date | None
) -> str | None:
    """Why 「電子交付を希望する」 cannot be chosen, or None when it can (or when it cannot be told yet).

    Same facts and wording as the page script; the service re-checks through
    rules.py on submission, so this only guides the contractor.
    """
    if kind == GuaranteeKind.PERFORMANCE_RESERVATION:
        return "契約保証予約は電子交付の対象外です。"
    if (
        orderer is None
        or contract_date is None
        or kind not in KIND_FULL_NAMES
        or work_category not in WorkCategory.values
    ):
        return None
    if orderer.accepts_electronic(kind=kind, work_category=work_category, contract_date=contract_date):
        return None
    category = WorkCategory(work_category).label
    return (
        f"{orderer.name}は{format_wareki(contract_date, padded=False)}締結の{category}の"
        f"{KIND_FULL_NAMES[kind]}を電子交付の対象としていません。"
    )


def adoption_data() -> dict[str, list[dict[str, str | None]]]:
    """Orderer id → the (category, kind, from, until) rows it accepts electronically, for the page script."""
    data: dict[str, list[dict[str, str | None]]] = {}
    rows = ElectronicAdoption.objects.order_by("orderer_id", "effective_from").values_list(
        "orderer_id", "work_category", "kind", "effective_from", "effective_until"
    )
    for orderer_id, category, kind, start, until in rows:
        data.setdefault(str(orderer_id), []).append(
            {
                "category": category,
                "kind": kind,
                "from": start.isoformat(),
                "until": until.isoformat() if until else None,
            }
        )
    return data


def _ratio(value: Any) -> list[int]:
    return [int(value.numerator), int(value.denominator)]


def form_meta() -> dict[str, Any]:
    """Vocabulary and limits the page script needs, from the same tables the server uses."""
    return {
        "eras": [[era.name, era.starts.isoformat()] for era in ERAS],
        "kindNames": {str(k): v for k, v in KIND_FULL_NAMES.items()},
        "categoryNames": {str(v): str(label) for v, label in WorkCategory.choices},
        "depositKinds": sorted(str(k) for k in ADVANCE_KINDS),
        "advanceKinds": sorted(str(k) for k in KINDS_NEEDING_ADVANCE),
        "reservation": str(GuaranteeKind.PERFORMANCE_RESERVATION),
        "electronic": str(DeliveryMethod.ELECTRONIC),
        "paper": str(DeliveryMethod.PAPER),
        "unit": rules.ADVANCE_UNIT,
        "ratios": {
            "advanceWorks": _ratio(rules.ADVANCE_RATIO_WORKS),
            "advanceConsulting": _ratio(rules.ADVANCE_RATIO_CONSULTING),
            "advanceLowBid": _ratio(rules.ADVANCE_RATIO_LOW_BID),
            "interim": _ratio(rules.INTERIM_RATIO),
            "performanceMin": _ratio(rules.PERFORMANCE_MIN_RATIO),
            "performanceMinLowBid": _ratio(rules.PERFORMANCE_MIN_RATIO_LOW_BID),
        },
    }


class ApplicationForm(forms.Form):
    branch = forms.TypedChoiceField(
        label="保証事業会社・取次場所",
        coerce=int,
        error_messages={
            **_required("保証事業会社・取次場所を選択してください。"),
            "invalid_choice": "一覧から取次場所を選択してください。",
        },
    )
    orderer = forms.ModelChoiceField(
        label="発注者",
        queryset=Orderer.objects.order_by("name"),
        empty_label="選択してください",
        error_messages={
            **_required("発注者を選択してください。"),
            "invalid_choice": "一覧から発注者を選択してください。",
        },
    )
    work_category = forms.ChoiceField(
        label="業務区分",
        choices=WorkCategory.choices,
        widget=forms.RadioSelect,
        error_messages=_required("業務区分を選択してください。"),
    )
    kind = forms.ChoiceField(
        label="区分",
        choices=KIND_CHOICES,
        widget=forms.RadioSelect,
        error_messages=_required("区分（保証の種類）を選択してください。"),
    )
    work_name = TextField(
        label="工事名",
        max_length=200,
        error_messages={
            **_required("工事名を入力してください。"),
            "max_length": "工事名は200文字以内で入力してください。",
        },
    )
    contract_date = BusinessDateField(label="契約締結日", error_messages=_required("契約締結日を入力してください。"))
    completion_date = BusinessDateField(label="工事末日", error_messages=_required("工事末日を入力してください。"))
    contract_price = YenField(label="請負金額(総額)", error_messages=_required("請負金額(総額)を入力してください。"))
    contract_price_consideration = YenField(
        label="請負金額(対価額)", required=False, help_text="対価額の定めがある契約のみ入力してください。"
    )
    guaranteed_amount = YenField(label="保証金額", error_messages=_required("保証金額を入力してください。"))
    low_bid = forms.BooleanField(label="低入札（低入札価格調査の対象となった契約）", required=False)
    deposit_bank = TextField(
        label="預託金融機関",
        max_length=100,
        required=False,
        help_text="前払金保証・中間前払金保証で入力してください（例: 〇〇銀行 ▲▲支店）。",
    )
    advance_guarantee = forms.ChoiceField(
        label="前払金保証の保証契約番号",
        required=False,
        widget=AdvanceGuaranteeSelect,
        help_text="中間前払金保証・契約保証では、同じ工事の前払金保証を選択してください。",
        error_messages={"invalid_choice": "一覧から有効な前払金保証を選択してください。"},
    )
    notes = TextField(
        label="連絡事項等",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="保証会社への連絡事項があれば入力してください（2000文字以内）。",
    )
    delivery_method = forms.ChoiceField(
        label="保証証書の受取方法",
        choices=DELIVERY_CHOICES,
        widget=forms.RadioSelect,
        initial=DeliveryMethod.ELECTRONIC,
        error_messages=_required("保証証書の受取方法を選択してください。"),
    )

    def __init__(
        self, *args: Any, contractor: Contractor, application: Application | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.contractor = contractor
        self.application = application
        self._init_branch_choices()
        self._init_advance_choices()

    def _init_branch_choices(self) -> None:
        groups: dict[str, list[tuple[int, str]]] = {}
        for branch in Branch.objects.select_related("surety").order_by("surety__name", "name"):
            # The surety is repeated in the option: a closed select does not show its group.
            groups.setdefault(branch.surety.name, []).append((branch.pk, f"{branch.surety.name} {branch.name}"))
        field = self.fields["branch"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "選択してください"), *groups.items()]

    def _init_advance_choices(self) -> None:
        # Only the company's own active advances: another company's number is never offered nor accepted.
        rows = list(
            Guarantee.objects.filter(
                contractor=self.contractor, kind=GuaranteeKind.ADVANCE, status=GuaranteeStatus.ACTIVE
            )
            .order_by("-concluded_at", "-number")
            .values_list("number", "work_name", "orderer_id")
        )
        current = self.application.advance_guarantee if self.application else None
        if current is not None and current.number not in {r[0] for r in rows}:
            # Keep a draft's earlier choice visible; the rules say on submission why it no longer fits.
            rows.append((current.number, current.work_name, current.orderer_id))
        field = self.fields["advance_guarantee"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "選択してください"), *((num, f"{num} {name}") for num, name, _ in rows)]
        widget = field.widget
        assert isinstance(widget, AdvanceGuaranteeSelect)
        widget.option_data = {num: (orderer_id, name) for num, name, orderer_id in rows}

    @staticmethod
    def data_from_application(app: Application) -> dict[str, Any]:
        """The saved draft as form input, for editing it or re-showing it with rule errors."""
        data: dict[str, Any] = {
            "branch": str(app.branch_id),
            "orderer": str(app.orderer_id),
            "work_category": app.work_category,
            "kind": app.kind,
            "work_name": app.work_name,
            "contract_date": app.contract_date.isoformat(),
            "completion_date": app.completion_date.isoformat(),
            "contract_price": format_yen(app.contract_price),
            "contract_price_consideration": format_yen(app.contract_price_consideration),
            "guaranteed_amount": format_yen(app.guaranteed_amount),
            "deposit_bank": app.deposit_bank,
            "advance_guarantee": app.advance_guarantee.number if app.advance_guarantee else "",
            "notes": app.notes,
            "delivery_method": app.delivery_method,
        }
        if app.low_bid:
            data["low_bid"] = "on"
        return data

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        # Inputs that do not belong to the chosen kind are dropped, whatever the browser sent
        # (the page hides them with script, which may not have run).
        if kind and kind not in ADVANCE_KINDS:
            cleaned["deposit_bank"] = ""
        if kind and kind not in KINDS_NEEDING_ADVANCE:
            cleaned["advance_guarantee"] = ""
        return cleaned

    def to_input(self) -> ApplicationInput:
        c = self.cleaned_data
        orderer = c["orderer"]
        assert isinstance(orderer, Orderer)
        return ApplicationInput(
            branch_id=c["branch"],
            orderer_id=orderer.pk,
            kind=c["kind"],
            work_category=c["work_category"],
            work_name=c["work_name"].strip(),
            contract_date=c["contract_date"],
            completion_date=c["completion_date"],
            contract_price=c["contract_price"],
            contract_price_consideration=c.get("contract_price_consideration"),
            guaranteed_amount=c["guaranteed_amount"],
            low_bid=bool(c.get("low_bid")),
            deposit_bank=(c.get("deposit_bank") or "").strip(),
            advance_guarantee_number=c.get("advance_guarantee") or "",
            notes=c.get("notes") or "",
            delivery_method=c["delivery_method"],
        )

    def add_violations(self, error: DomainError) -> None:
        """Show each broken rule beside its field; rules about no field of this form go on top."""
        if not error.violations:
            self.add_error(None, error.message)
            return
        for violation in error.violations:
            field = violation.field if violation.field in self.fields else None
            self.add_error(field, violation.message)

    def delivery_refusal(self) -> str | None:
        """The reason 電子交付 is unavailable for the values now in the form, if it can be told."""
        if not self.is_bound:
            app = self.application
            if app is None:
                return None
            return electronic_refusal(
                orderer=app.orderer, kind=app.kind, work_category=app.work_category, contract_date=app.contract_date
            )
        values = getattr(self, "cleaned_data", {})
        orderer = values.get("orderer")
        contract_date = values.get("contract_date")
        return electronic_refusal(
            orderer=orderer if isinstance(orderer, Orderer) else None,
            kind=values.get("kind") or "",
            work_category=values.get("work_category") or "",
            contract_date=contract_date if isinstance(contract_date, dt.date) else None,
        )
