"""Writes of the api app: handing an access key to a surety's system (tokens: integrations.services)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from esurety.guarantees.models import Application, Guarantee
from esurety.guarantees.services import access_key_reissue, access_key_reveal, application_conclude
from esurety.parties.models import User

# The steps that hand a system its key: the step and the audited hand-over commit together,
# so a key never leaves for a conclusion or reissue that rolled back.


@transaction.atomic
def application_conclude_for_system(
    *, application: Application, by: User, now: dt.datetime
) -> tuple[Guarantee, str | None]:
    done = application_conclude(application=application, by=by, now=now)
    key = access_key_reveal(guarantee=done.guarantee, by=by, now=now, purpose="system", plain=done.access_key)
    return done.guarantee, key


@transaction.atomic
def access_key_reissue_for_system(*, guarantee: Guarantee, by: User, now: dt.datetime) -> str:
    new = access_key_reissue(guarantee=guarantee, by=by, now=now)
    key = access_key_reveal(guarantee=guarantee, by=by, now=now, purpose="system", plain=new.plain)
    assert key is not None  # a key was created just now
    return key
