"""Login, logout, password reset, 利用申込 and the organisation's user list. Thin: forms validate, services write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods

from esurety.accounts import ratelimit
from esurety.accounts.forms import (
    PASSWORD_RESET_PER_EMAIL,
    PASSWORD_RESET_PER_IP,
    SIGNUP_PER_IP,
    InviteForm,
    LoginForm,
    OutboxPasswordResetForm,
    SetPasswordFormJa,
    SignupForm,
    login_key,
    wait_message,
)
from esurety.accounts.middleware import mark_active
from esurety.accounts.selectors import organisation_members
from esurety.accounts.services import (
    UsageApplicationInput,
    member_invite,
    member_remove,
    usage_application_submit,
)
from esurety.core.clock import now as clock_now
from esurety.core.errors import DomainError
from esurety.parties.models import User
from esurety.parties.permissions import can_manage_members

# An organisation administrator may invite this many users an hour: enough for
# setting up a company, too few for using the invitation mail as a spam relay.
INVITES_PER_ADMIN = ratelimit.Limit("invite-admin", max_attempts=30, window_seconds=60 * 60)

CONTRACTOR_HOME = "/contractor/"
ORDERER_HOME = "/verify/"
STAFF_HOME = "/office/"
BANK_HOME = "/bank/"
ADMIN_HOME = "/admin/"
# Where each portal's people land: its home page (the prefixes above say whose portal a path is in).
STAFF_LANDING = "/office/home/"
ORDERER_LANDING = "/verify/home/"


def landing_url(user: AbstractBaseUser | AnonymousUser) -> str:
    """Where a user goes after login: one ID for every portal, the portal follows the organisation."""
    if not isinstance(user, User):
        return "/"
    if user.is_superuser:
        return ADMIN_HOME
    if user.surety_id is not None:
        return STAFF_LANDING
    if user.contractor_id is not None:
        return CONTRACTOR_HOME
    if user.orderer_id is not None:
        return ORDERER_LANDING
    if user.deposit_bank_id is not None:
        return BANK_HOME
    return "/"


def _portal_fits(path: str, user: User) -> bool:
    """False when ``path`` is in another kind of user's portal (it would only answer 404)."""
    owners = {
        CONTRACTOR_HOME: user.contractor_id is not None,
        ORDERER_HOME: user.orderer_id is not None,
        STAFF_HOME: user.surety_id is not None,
        BANK_HOME: user.deposit_bank_id is not None,
        ADMIN_HOME: user.is_staff or user.is_superuser,
    }
    for prefix, fits in owners.items():
        if path.startswith(prefix):
            return fits
    return True


def _current_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # only reached behind login_required
        raise Http404
    return user


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"

    def get_redirect_url(self) -> str:
        # Safe (same host) ?next= from Django; dropped when it points into a
        # portal the user does not belong to, where it could only show 404.
        url: str = super().get_redirect_url()
        user = self.request.user
        if url and isinstance(user, User) and user.is_authenticated and not _portal_fits(url, user):
            return ""
        return url

    def get_default_redirect_url(self) -> str:
        return landing_url(self.request.user)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        mark_active(self.request)
        return response


class LogoutView(auth_views.LogoutView):
    next_page = "/login/"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.success(request, "ログアウトしました。")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        ip = ratelimit.client_ip(self.request)
        wait = ratelimit.is_blocked(PASSWORD_RESET_PER_IP, ip)
        if wait:
            form.add_error(
                None,
                f"短時間に多くのお申込があったため、受付を一時停止しています。{wait_message(wait)}後に、もう一度お試しください。",
            )
            return self.form_invalid(form)
        ratelimit.record_failure(PASSWORD_RESET_PER_IP, ip)
        email_key = login_key(form.cleaned_data["email"])
        if ratelimit.is_blocked(PASSWORD_RESET_PER_EMAIL, email_key):
            # Enough mails to this address for now; the page must not say so
            # (it would tell that the address is registered).
            return HttpResponseRedirect(self.get_success_url())
        ratelimit.record_failure(PASSWORD_RESET_PER_EMAIL, email_key)
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordFormJa
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


def _violations_to_form(form: Any, exc: DomainError, fields: dict[str, str] | None = None) -> None:
    fields = fields or {}
    if not exc.violations:
        form.add_error(None, exc.message)
    for violation in exc.violations:
        name = fields.get(violation.field, violation.field)
        form.add_error(name if name in form.fields else None, violation.message)


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """利用申込 (public)."""
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = ratelimit.client_ip(request)
        wait = ratelimit.is_blocked(SIGNUP_PER_IP, ip)
        if wait:
            form.add_error(
                None,
                f"短時間に多くのお申込があったため、受付を一時停止しています。{wait_message(wait)}後に、もう一度お試しください。",
            )
        else:
            data = form.cleaned_data
            try:
                usage_application_submit(
                    data=UsageApplicationInput(
                        surety_id=data["surety"].pk,
                        company_name=data["company_name"],
                        postal_code=data["postal_code"],
                        address=data["address"],
                        tel=data["tel"],
                        representative_title=data["representative_title"],
                        representative_name=data["representative_name"],
                        applicant_name=data["applicant_name"],
                        applicant_email=data["applicant_email"],
                    ),
                    now=clock_now(),
                )
            except DomainError as exc:
                _violations_to_form(form, exc)
            else:
                ratelimit.record_failure(SIGNUP_PER_IP, ip)
                return redirect("accounts:signup_done")
    return render(request, "accounts/signup_form.html", {"form": form})


def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_done.html")


def _members_admin(request: HttpRequest) -> User:
    user = _current_user(request)
    if not can_manage_members(user):
        # Not an organisation administrator: the page does not exist for them.
        raise Http404
    return user


@login_required
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest) -> HttpResponse:
    """The organisation's users, with an invitation form (企業・団体の管理者 only)."""
    admin = _members_admin(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key = str(admin.pk)
        wait = ratelimit.is_blocked(INVITES_PER_ADMIN, key)
        if wait:
            form.add_error(None, f"招待の上限に達しました。{wait_message(wait)}後に、もう一度お試しください。")
        else:
            try:
                invited = member_invite(
                    by=admin,
                    email=form.cleaned_data["email"],
                    display_name=form.cleaned_data["display_name"],
                    now=clock_now(),
                )
            except DomainError as exc:
                _violations_to_form(form, exc)
            else:
                ratelimit.record_failure(INVITES_PER_ADMIN, key)
                messages.success(
                    request,
                    f"{invited.display_name} 様（お客様ID {invited.username}）に招待メールを送信しました。",
                )
                return redirect("accounts:members")
    users: QuerySet[User] = organisation_members(admin)
    return render(
        request,
        "accounts/members.html",
        {"form": form, "members": users, "organisation_name": admin.organisation_name, "me": admin},
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_remove_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    admin = _members_admin(request)
    # Scoped lookup: another organisation's user is simply not found (404).
    target = get_object_or_404(organisation_members(admin), pk=pk)
    if request.method == "POST":
        try:
            member_remove(by=admin, user=target, now=clock_now())
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{target.display_name or target.username} 様を削除しました。")
        return redirect("accounts:members")
    return render(request, "accounts/member_remove.html", {"target": target, "me": admin})
