"""The contractor reads its own access key (認証キー 「表示」, key notice PDF); each read is audited."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from esurety.audit.services import audit_record
from esurety.guarantees.models import Guarantee
from esurety.guarantees.services.issuance import access_key_reveal
from esurety.parties.models import User
from esurety.parties.permissions import require_contractor_user

DISCLOSURE_PURPOSES = frozenset({"view", "notice_pdf"})


@transaction.atomic
def access_key_disclose(*, guarantee: Guarantee, by: User, now: dt.datetime, purpose: str) -> str | None:
    """The active key in plain text for the guarantee's own contractor, or None if it has none.

    A key handed out is what lets an orderer (or anyone holding it) read the
    certificate, so who took it and when is kept in the audit chain.
    """
    if purpose not in DISCLOSURE_PURPOSES:
        raise ValueError(f"unknown disclosure purpose: {purpose}")
    require_contractor_user(by, guarantee.contractor)
    key = access_key_reveal(guarantee=guarantee)
    if key is None:
        return None
    audit_record(
        actor=by,
        action="access_key.reveal",
        obj=guarantee,
        at=now,
        after={"number": guarantee.number, "purpose": purpose},
        surety_id=guarantee.surety_id,
    )
    return key
