"""Issuing and revoking API tokens, and who may: one organisation's token, with the system user it acts as."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from esurety.audit.services import audit_record
from esurety.core.errors import DomainError, InvalidStateError, NotPermitted, RuleViolation
from esurety.integrations.models import ApiToken
from esurety.integrations.tokens import new_secret
from esurety.parties.models import DepositBank, Orderer, Role, SuretyCompany, User
from esurety.parties.permissions import SURETY_TOKEN_ROLES, can_manage_token, can_manage_tokens
from esurety.parties.selectors import orderer_has_admin

NAME_MAX = 100
# last_used_at is written at most this often: a busy system must not write on every request.
USE_RECORD_INTERVAL = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once to whoever issued it; only its digest is stored


def token_snapshot(token: ApiToken) -> dict[str, Any]:
    return {
        "name": token.name,
        "prefix": token.prefix,
        "kind": token.kind,
        "orderer_id": token.orderer_id,
        "surety_id": token.surety_id,
        "deposit_bank_id": token.deposit_bank_id,
        "user": token.user.username,
        "role": token.user.role,
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
    }


def _free_secret() -> tuple[str, str, str]:
    for _ in range(10):
        fresh = new_secret()
        username = "api-" + fresh.prefix.split("_", 1)[1]
        if not (
            ApiToken.objects.filter(prefix=fresh.prefix).exists() or User.objects.filter(username=username).exists()
        ):
            return fresh.secret, fresh.prefix, fresh.digest
    raise RuntimeError("no free token prefix")  # 32 random bits each time: practically unreachable


@transaction.atomic
def api_token_create(
    *,
    by: User | None,
    name: str,
    now: dt.datetime,
    orderer: Orderer | None = None,
    surety: SuretyCompany | None = None,
    deposit_bank: DepositBank | None = None,
    role: str = "",
) -> IssuedToken:
    """Issue a token for one organisation, with the system user it acts as.

    ``by`` is None for an operator at the command line (manage.py api_token),
    who holds the server and needs no role here.
    """
    if sum(owner is not None for owner in (orderer, surety, deposit_bank)) != 1:
        raise ValueError("a token belongs to exactly one organisation")
    if by is not None and not can_manage_tokens(by, orderer=orderer, surety=surety, bank=deposit_bank):
        raise NotPermitted("APIトークンの発行は、その組織の管理者のみ行えます。")
    if by is not None and orderer is not None and by.orderer_id != orderer.pk and orderer_has_admin(orderer):
        # As for people (accounts.services.orderer_user_invite): once the orderer has its own
        # 管理者, a surety's staff cannot add anyone to it. An orderer's token reads every
        # certificate the orderer received, other sureties' included.
        raise InvalidStateError(
            f"{orderer.name}には管理者がいるため、APIトークンは発注者の管理者が保証確認サービスの「組織情報」から発行します。"
        )
    violations: list[RuleViolation] = []
    name = name.strip()
    if not name:
        violations.append(RuleViolation("name", "名称（接続するシステムの名前）を入力してください。"))
    elif len(name) > NAME_MAX:
        violations.append(RuleViolation("name", f"名称は{NAME_MAX}文字以内で入力してください。"))
    if surety is not None:
        role = role or Role.CLERK
        if role not in SURETY_TOKEN_ROLES:
            violations.append(RuleViolation("role", "権限は「担当者」または「承認者」を選んでください。"))
    else:
        role = Role.MEMBER
    if violations:
        raise DomainError("入力に誤りがあります。", violations)

    secret, prefix, digest = _free_secret()
    # The system user: no password (it can never log in to a page), no e-mail (no mail is
    # ever addressed to it), named so that every page and the audit log show the system.
    user = User(
        username="api-" + prefix.split("_", 1)[1],
        display_name=f"API連携: {name}"[:100],
        orderer=orderer,
        surety=surety,
        # A bank's system acts for the whole bank (every branch), as the bank's head office does.
        deposit_bank=deposit_bank,
        role=role,
    )
    user.set_unusable_password()
    user.save()
    token = ApiToken.objects.create(
        name=name,
        prefix=prefix,
        digest=digest,
        orderer=orderer,
        surety=surety,
        deposit_bank=deposit_bank,
        user=user,
        created_by=by,
        created_at=now,
    )
    audit_record(
        actor=by,
        action="api_token.create",
        obj=token,
        at=now,
        after=token_snapshot(token),
        surety_id=surety.pk if surety is not None else (by.surety_id if by is not None else None),
    )
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User | None, now: dt.datetime) -> ApiToken:
    """Stop a token at once; its system user is deactivated and keeps its history."""
    locked = (
        ApiToken.objects.select_for_update(of=("self",))
        .select_related("orderer", "surety", "user", "created_by")
        .get(pk=token.pk)
    )
    if by is not None and not can_manage_token(by, locked):
        raise NotPermitted("APIトークンの失効は、その組織の管理者のみ行えます。")
    if locked.revoked_at is not None:
        raise InvalidStateError("このAPIトークンは既に失効しています。")
    before = token_snapshot(locked)
    locked.revoked_at = now
    locked.revoked_by = by
    locked.save(update_fields=["revoked_at", "revoked_by"])
    User.objects.filter(pk=locked.user_id).update(is_active=False)
    audit_record(
        actor=by,
        action="api_token.revoke",
        obj=locked,
        at=now,
        before=before,
        after=token_snapshot(locked),
        surety_id=locked.surety_id if locked.surety_id is not None else (by.surety_id if by is not None else None),
    )
    return locked


def api_token_record_use(*, token: ApiToken, now: dt.datetime) -> None:
    """Note when a token was last used, for the pages that list tokens.

    Usage metadata, not a state change: no audit entry, and at most one write
    per USE_RECORD_INTERVAL so that a system verifying all day costs nothing.
    """
    if token.last_used_at is not None and now - token.last_used_at < USE_RECORD_INTERVAL:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
