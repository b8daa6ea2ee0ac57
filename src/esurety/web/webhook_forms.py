"""The form of 「Webhook設定」 (web/webhooks.py): an endpoint to register, the log's status filter."""

from __future__ import annotations

from django import forms

from esurety.core.errors import DomainError
from esurety.core.text import TextValidator
from esurety.webhooks.models import ADVANCE_EVENTS, GUARANTEE_EVENTS, DeliveryStatus, WebhookEvent
from esurety.webhooks.targets import target_check


class EndpointForm(forms.Form):
    name = forms.CharField(
        label="名称（任意）",
        max_length=100,
        required=False,
        help_text="一覧で見分けるための名前。例: 電子契約システム",
        validators=[TextValidator()],
    )
    # Not a URLField: targets.target_check says in Japanese what is wrong (http, private addresses …).
    url = forms.CharField(
        label="送信先URL",
        max_length=500,
        help_text="https:// で始まるURL。貴組織のシステムが、このURLへのPOSTを受け付けるようにしてください。",
        widget=forms.URLInput(attrs={"size": 60, "autocomplete": "off", "spellcheck": "false"}),
        validators=[TextValidator()],
    )
    events = forms.MultipleChoiceField(
        label="通知するイベント",
        choices=WebhookEvent.choices,
        initial=list(WebhookEvent.values),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "通知するイベントを1つ以上選んでください。"},
    )

    def __init__(self, *args: object, for_orderer: bool = False, for_bank: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["events"]
        assert isinstance(field, forms.MultipleChoiceField)
        if for_orderer:
            # An orderer hears of a guarantee only once it has verified it: 発行 never reaches it;
            # nor does it hear of the advance account.
            offered = [v for v in GUARANTEE_EVENTS if v != WebhookEvent.ISSUED]
        elif for_bank:
            # A deposit bank hears of the accounts it holds, nothing of certificates.
            offered = list(ADVANCE_EVENTS)
        else:
            return
        field.choices = [(v, WebhookEvent(v).label) for v in offered]
        field.initial = offered

    def clean_url(self) -> str:
        # Checked here too so that a wrong URL and a missing event are reported together.
        try:
            return target_check(self.cleaned_data["url"])
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None


def status_filter(value: str | None) -> str:
    return value if value in DeliveryStatus.values else ""
