"""Reads of the accounts app, scoped to what the asking user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from esurety.parties.models import User
from esurety.parties.selectors import orderer_has_admin

__all__ = ["orderer_has_admin", "organisation_members"]


def organisation_members(user: User) -> QuerySet[User]:
    """Active users of ``user``'s contractor, orderer or deposit bank; nothing for anyone else."""
    if user.contractor_id is not None:
        scope = User.objects.filter(contractor_id=user.contractor_id)
    elif user.orderer_id is not None:
        scope = User.objects.filter(orderer_id=user.orderer_id)
    elif user.deposit_bank_id is not None:
        scope = User.objects.filter(deposit_bank_id=user.deposit_bank_id).select_related("bank_branch")
    else:
        return User.objects.none()
    # People only: an API token's system user is managed (and revoked) on the token page.
    return scope.filter(is_active=True, api_token__isnull=True).order_by("date_joined", "id")
