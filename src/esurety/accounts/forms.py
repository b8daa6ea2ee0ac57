"""Forms of the accounts pages: login with lockout, password reset through the outbox, 利用申込, invitations."""

from __future__ import annotations

import hashlib
import logging
import math
import unicodedata
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from esurety.accounts import ratelimit
from esurety.accounts.services import password_reset_mail_enqueue, user_password_set
from esurety.core.clock import now as clock_now
from esurety.core.text import TextValidator
from esurety.parties.models import SuretyCompany, User

logger = logging.getLogger(__name__)

# 5 wrong passwords for one お客様ID in 15 minutes lock that ID for 15 minutes;
# 20 failures from one address (password spraying over many IDs) lock the address.
LOGIN_PER_USERNAME = ratelimit.Limit("login-user", max_attempts=5, window_seconds=15 * 60)
LOGIN_PER_IP = ratelimit.Limit("login-ip", max_attempts=20, window_seconds=15 * 60)
# Reset mails: bounded per address (mail bombing) and per requested e-mail.
PASSWORD_RESET_PER_IP = ratelimit.Limit("pwreset-ip", max_attempts=10, window_seconds=60 * 60)
PASSWORD_RESET_PER_EMAIL = ratelimit.Limit("pwreset-email", max_attempts=3, window_seconds=60 * 60)
# 利用申込 is a public form: a few per address and hour.
SIGNUP_PER_IP = ratelimit.Limit("signup-ip", max_attempts=5, window_seconds=60 * 60)


def wait_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"約{minutes}分"


def login_key(username: str) -> str:
    # One counter per ID however it is typed (全角, case, spaces), so that
    # variants of an ID do not each get their own five attempts.
    return unicodedata.normalize("NFKC", username).strip().casefold()


def _fingerprint(key: str) -> str:
    # Enough to correlate log lines, without writing typed passwords-as-IDs into the log.
    return hashlib.sha256(key.encode()).hexdigest()[:12]


class LoginForm(AuthenticationForm):
    """お客様ID + パスワード, with lockout per ID and per client address.

    The ID is counted whether or not it exists, so the lockout message is the
    same for unknown IDs: it reveals nothing about which IDs are registered.
    """

    username = forms.CharField(
        label="お客様ID",
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label="パスワード",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": "お客様IDまたはパスワードが正しくありません。入力内容をご確認ください。",
        "inactive": "お客様IDまたはパスワードが正しくありません。入力内容をご確認ください。",
        "locked": (
            "ログインに続けて失敗したため、一時的にログインを制限しています。"
            "{wait}後に、もう一度お試しください。"
            "パスワードをお忘れの場合は「パスワードをお忘れの方」から再設定できます。"
        ),
    }

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].error_messages["required"] = "お客様IDを入力してください。"
        self.fields["password"].error_messages["required"] = "パスワードを入力してください。"

    def _locked_error(self, seconds: int) -> ValidationError:
        return ValidationError(
            self.error_messages["locked"].format(wait=wait_message(seconds)),
            code="locked",
        )

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data
        key = login_key(username)
        ip = ratelimit.client_ip(self.request) if self.request is not None else "unknown"
        # While locked, the password is not even checked: a right guess during
        # the lockout must not be distinguishable from a wrong one.
        wait = max(ratelimit.is_blocked(LOGIN_PER_USERNAME, key), ratelimit.is_blocked(LOGIN_PER_IP, ip))
        if wait:
            raise self._locked_error(wait)
        self.user_cache = authenticate(self.request, username=username, password=password)
        if self.user_cache is None:
            wait = max(ratelimit.record_failure(LOGIN_PER_USERNAME, key), ratelimit.record_failure(LOGIN_PER_IP, ip))
            if wait:
                logger.warning("login locked for %s s: id %s, address %s", wait, _fingerprint(key), ip)
                raise self._locked_error(wait)
            raise self.get_invalid_login_error()
        self.confirm_login_allowed(self.user_cache)
        # Only the ID's counter: one valid account must not clear an address's
        # count of failures against other IDs.
        ratelimit.reset(LOGIN_PER_USERNAME, key)
        return self.cleaned_data


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form, but the mail goes through the outbox like every other mail."""

    email = forms.EmailField(
        label="登録メールアドレス",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "メールアドレスを入力してください。",
            "invalid": "メールアドレスの形式が正しくありません。",
        },
    )

    def get_users(self, email: str) -> Iterator[User]:
        # Unlike Django's default, users without a usable password are
        # included: an invited user whose link expired gets a fresh one here.
        # (Removing a user deactivates it, and inactive users get nothing.)
        yield from User.objects.filter(email__iexact=email, is_active=True)

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user = context["user"]
        assert isinstance(user, User)
        password_reset_mail_enqueue(user=user, now=clock_now())


class SetPasswordFormJa(SetPasswordForm):  # type: ignore[type-arg]
    """New password twice; saved through the service so the change is audited."""

    error_messages = {"password_mismatch": "確認用のパスワードが一致しません。"}

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].label = "新しいパスワード"
        self.fields[
            "new_password1"
        ].help_text = "10文字以上で、お客様IDや氏名に似ていない、数字だけではないパスワードを設定してください。"
        self.fields["new_password2"].label = "新しいパスワード（確認）"
        self.fields["new_password1"].error_messages["required"] = "新しいパスワードを入力してください。"
        self.fields["new_password2"].error_messages["required"] = "確認のため、もう一度入力してください。"

    def save(self, commit: bool = True) -> User:
        user = self.user
        assert isinstance(user, User)
        return user_password_set(user=user, password=self.cleaned_data["new_password1"], now=clock_now())


POSTAL_CODE_HELP = "例: 770-0001"


def _normalize_text(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


class SignupForm(forms.Form):
    """利用申込: company, representative, first user, and the surety asked to register it."""

    surety = forms.ModelChoiceField(
        label="お申込先の保証事業会社",
        queryset=SuretyCompany.objects.order_by("name"),
        empty_label="選択してください",
        error_messages={
            "required": "保証事業会社を選択してください。",
            "invalid_choice": "保証事業会社を選択してください。",
        },
    )
    company_name = forms.CharField(
        label="商号又は名称", max_length=100, widget=forms.TextInput(attrs={"autocomplete": "organization"})
    )
    postal_code = forms.CharField(
        label="郵便番号",
        max_length=8,
        help_text=POSTAL_CODE_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    # HTML allows the whole-address autofill token (street-address) on a textarea only.
    address = forms.CharField(
        label="所在地", max_length=200, widget=forms.Textarea(attrs={"autocomplete": "street-address", "rows": 2})
    )
    tel = forms.CharField(
        label="電話番号",
        max_length=20,
        help_text="例: 088-123-4567",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    representative_title = forms.CharField(label="代表者役職", max_length=50, initial="代表取締役")
    representative_name = forms.CharField(label="代表者氏名", max_length=50)
    applicant_name = forms.CharField(
        label="ご利用者（管理者）の氏名", max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    applicant_email = forms.EmailField(
        label="ご利用者（管理者）のメールアドレス",
        max_length=254,
        help_text="承認後、このアドレスに「利用開始通知」（お客様IDとパスワード設定のご案内）をお送りします。",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": "メールアドレスの形式が正しくありません。"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "surety":
                # Say which field is missing, not just "required".
                field.error_messages["required"] = f"{field.label}を入力してください。"
                # The address box (a textarea) may hold line breaks; clean_address joins them.
                field.validators.append(TextValidator(multiline=isinstance(field.widget, forms.Textarea)))

    def clean_postal_code(self) -> str:
        value = _normalize_text(self.cleaned_data["postal_code"]).replace("ー", "-").replace("−", "-")
        digits = value.replace("-", "")
        if len(digits) != 7 or not digits.isdigit():
            raise ValidationError("郵便番号は7桁の数字で入力してください（例: 770-0001）。")
        return f"{digits[:3]}-{digits[3:]}"

    def clean_tel(self) -> str:
        value = _normalize_text(self.cleaned_data["tel"]).replace("ー", "-").replace("−", "-")
        digits = value.replace("-", "").replace("(", "").replace(")", "").replace(" ", "")
        if not digits.isdigit() or not 10 <= len(digits) <= 11:
            raise ValidationError("電話番号は10桁または11桁の数字で入力してください（例: 088-123-4567）。")
        return value

    def clean_company_name(self) -> str:
        return _normalize_text(self.cleaned_data["company_name"])

    def clean_address(self) -> str:
        # One line on certificates and notices, however it was typed into the box.
        return " ".join(self.cleaned_data["address"].split())


class InviteForm(forms.Form):
    display_name = forms.CharField(
        label="氏名",
        max_length=100,
        error_messages={"required": "氏名を入力してください。"},
        validators=[TextValidator()],
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(
        label="メールアドレス",
        max_length=254,
        error_messages={
            "required": "メールアドレスを入力してください。",
            "invalid": "メールアドレスの形式が正しくありません。",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class AdminLoginForm(LoginForm):
    """The lockout of LoginForm for /admin/login/, which also requires is_staff."""

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if not user.is_staff:
            raise self.get_invalid_login_error()
