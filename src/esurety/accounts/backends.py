"""Authentication backend that loads a user together with their organisation."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from esurety.parties.models import User


class OrganisationModelBackend(ModelBackend):
    """Every page prints the user's organisation in its header: fetch it with the user, in one query."""

    def get_user(self, user_id: Any) -> User | None:
        user = (
            User.objects.select_related("surety", "contractor", "orderer", "branch", "deposit_bank", "bank_branch")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
