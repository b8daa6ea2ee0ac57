"""Authentication backend: the signed-in user of every request, read in one cheap query."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce

from esurety.core.queries import FixedQuery
from esurety.parties.models import User


def _user_with_organisation_name(pk: int) -> QuerySet[User]:
    name = Coalesce(F("surety__name"), F("contractor__name"), F("orderer__name"), F("deposit_bank__name"))
    return User._default_manager.filter(pk=pk).annotate(**{User.ORGANISATION_NAME_READ: name})


# Compiled once: the ORM's compilation of it (or the selection of all six organisation tables whole,
# as before) cost more on every signed-in request than the rest of an empty page.
_USER = FixedQuery(_user_with_organisation_name, pk=-1)


class OrganisationModelBackend(ModelBackend):
    """Every signed-in request reads its user here, before the view does anything: the user and the
    name of its organisation, which every page header prints, in one query; the organisation itself
    loads by primary key where a page needs more of it."""

    def get_user(self, user_id: Any) -> User | None:
        user = _USER.first(pk=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
