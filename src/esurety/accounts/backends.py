"""Authentication backend: the signed-in user of every request, read cheaply."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from esurety.parties.models import User


class OrganisationModelBackend(ModelBackend):
    """Every signed-in request reads its user here, before the view does anything.

    The user's row alone, by primary key, without ORDER BY: each user belongs to one organisation,
    which the page header loads by its own primary key when it prints the name. Joining all six
    possible organisation tables instead cost more than the rest of an empty page (the ORM's
    compilation of some 70 columns in Python, the database's planning of six outer joins).
    """

    def get_user(self, user_id: Any) -> User | None:
        user = next(iter(User._default_manager.filter(pk=user_id)), None)
        return user if user is not None and self.user_can_authenticate(user) else None
