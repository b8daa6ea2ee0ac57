"""利用者の管理 of a bank: its 管理者 (head office) invites people at a branch or the head office,
and removes them; anyone else gets 404. Same login, lockout and idle rules as every user."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from esurety.accounts import ratelimit
from esurety.accounts.selectors import organisation_members
from esurety.accounts.services import member_remove
from esurety.accounts.services.bank_users import bank_member_invite
from esurety.bank.access import bank_admin, bank_required
from esurety.bank.forms import BankInviteForm
from esurety.core.clock import now
from esurety.core.errors import DomainError
from esurety.parties.models import User
from esurety.parties.selectors import bank_branches

# As for every organisation's 管理者 (accounts.views): the same name, so the same hourly budget.
INVITES_PER_ADMIN = ratelimit.Limit("invite-admin", max_attempts=30, window_seconds=60 * 60)


def _invite_form(admin: User, data: object = None) -> BankInviteForm:
    branches = [(b.pk, f"{b.code} {b.name}") for b in bank_branches(admin.deposit_bank_id)]
    return BankInviteForm(data, branches=branches)


@require_http_methods(["GET", "POST"])
@bank_required
def users(request: HttpRequest) -> HttpResponse:
    admin = bank_admin(request)
    form = _invite_form(admin, request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            key = str(admin.pk)
            wait = ratelimit.is_blocked(INVITES_PER_ADMIN, key)
            if wait:
                form.add_error(None, "招待の上限に達しました。しばらくしてから、もう一度お試しください。")
                status = 429
            else:
                try:
                    invited = bank_member_invite(
                        by=admin,
                        email=form.cleaned_data["email"],
                        display_name=form.cleaned_data["display_name"],
                        bank_branch_id=form.cleaned_data["bank_branch"],
                        now=now(),
                    )
                except DomainError as exc:
                    form.add_violations(exc)
                else:
                    ratelimit.record_failure(INVITES_PER_ADMIN, key)
                    messages.success(
                        request,
                        f"{invited.display_name} 様（お客様ID {invited.username}）に招待メールを送信しました。",
                    )
                    return redirect("bank:users")
    return render(
        request,
        "bank/users.html",
        {"form": form, "members": organisation_members(admin), "me": admin, "tab": "users"},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@bank_required
def user_remove(request: HttpRequest, pk: int) -> HttpResponse:
    admin = bank_admin(request)
    # Scoped lookup: another bank's user is simply not found (404).
    target = get_object_or_404(organisation_members(admin), pk=pk)
    if request.method == "POST":
        try:
            member_remove(by=admin, user=target, now=now())
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{target.display_name or target.username} 様を削除しました。")
        return redirect("bank:users")
    return render(request, "bank/user_remove.html", {"target": target, "me": admin, "tab": "users"})
