"""Authentication backend: the signed-in user of every request, read in one cheap query."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db import connection

from esurety.parties.models import User

# A user belongs to one of these; the page header prints its name (User.organisation_name).
ORGANISATION_FIELDS = ("surety", "contractor", "orderer", "deposit_bank")


@functools.cache
def _user_sql() -> str:
    """The user's row and its organisation's name, by primary key, as SQL built from the models.

    Written out rather than asked of the ORM: compiling the equivalent query (or selecting the
    organisations whole, as this backend did before) cost more on every signed-in request than the
    rest of an empty page, and the query never changes.
    """
    qn = connection.ops.quote_name
    meta: Any = User._meta
    joins, names = [], []
    for i, name in enumerate(ORGANISATION_FIELDS):
        field: Any = meta.get_field(name)
        org: Any = field.related_model._meta
        alias = f"org{i}"
        joins.append(
            f"LEFT OUTER JOIN {qn(org.db_table)} {alias} ON {alias}.{qn(org.pk.column)} = u.{qn(field.column)}"
        )
        names.append(f"{alias}.{qn(org.get_field('name').column)}")
    # Every name in it comes from the models' metadata, quoted; the user's id is a parameter.
    select = f"SELECT u.*, COALESCE({', '.join(names)}) AS {qn(User.ORGANISATION_NAME_READ)}"
    return f"{select} FROM {qn(meta.db_table)} u {' '.join(joins)} WHERE u.{qn(meta.pk.column)} = %s"


class OrganisationModelBackend(ModelBackend):
    """Every signed-in request reads its user here, before the view does anything: one query for
    the user and the name of its organisation; the organisation itself loads by primary key where
    a page needs more of it."""

    def get_user(self, user_id: Any) -> User | None:
        user = next(iter(User._default_manager.raw(_user_sql(), [user_id])), None)
        return user if user is not None and self.user_can_authenticate(user) else None
