"""Writes of the api app: handing an access key to a surety's system (tokens: integrations.services)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from esurety.audit.services import audit_record
from esurety.guarantees.models import Application, Guarantee
from esurety.guarantees.services import access_key_reissue, access_key_reveal, application_conclude
from esurety.guarantees.services.authority import NotPermitted, require_staff
from esurety.parties.models import User


@transaction.atomic
def access_key_hand_over(*, guarantee: Guarantee, by: User, now: dt.datetime) -> str | None:
    """The active key in plain text for the surety's own system (which shows it to its customer,
    as e-Net保証 does), or None for a guarantee without one.

    Only a surety's API system user may take it; each hand-over is in the audit
    chain, like the contractor's own 「表示」 (access_key.reveal).
    """
    require_staff(by, surety=guarantee.surety, branch=guarantee.branch)
    if not hasattr(by, "api_token"):
        raise NotPermitted("認証キーは保証事業会社のシステム（API）にのみ渡します。")
    key = access_key_reveal(guarantee=guarantee)
    if key is None:
        return None
    audit_record(
        actor=by,
        action="access_key.hand_over",
        obj=guarantee,
        at=now,
        after={"number": guarantee.number},
        surety_id=guarantee.surety_id,
    )
    return key


# The steps that hand a system its key: the step and the audited hand-over commit together,
# so a key never leaves for a conclusion or reissue that rolled back.


@transaction.atomic
def application_conclude_for_system(
    *, application: Application, by: User, now: dt.datetime
) -> tuple[Guarantee, str | None]:
    guarantee = application_conclude(application=application, by=by, now=now)
    return guarantee, access_key_hand_over(guarantee=guarantee, by=by, now=now)


@transaction.atomic
def access_key_reissue_for_system(*, guarantee: Guarantee, by: User, now: dt.datetime) -> str:
    access_key_reissue(guarantee=guarantee, by=by, now=now)
    key = access_key_hand_over(guarantee=guarantee, by=by, now=now)
    assert key is not None  # a key was created just now
    return key
