"""Every operation on a guarantee's 認証キー: create, reissue, reveal (the plain key), check.

Only the HMAC digest and the ciphertext are stored. Whoever takes the plain key out of the
platform (the contractor's 「表示」 and key notice PDF, a surety's own system through the API)
does so through ``access_key_reveal``, which puts who and why in the audit chain.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery

from esurety.audit.services import audit_record
from esurety.core.clock import business_date
from esurety.core.errors import InvalidStateError, NotPermitted
from esurety.core.kinds import DeliveryMethod
from esurety.core.queries import FixedQuery
from esurety.core.wareki import format_wareki
from esurety.guarantees import keys
from esurety.guarantees.models import AccessKey, Guarantee
from esurety.guarantees.services.mail import common_context, contractor_recipients
from esurety.guarantees.services.steps import lock_guarantee, require_guarantee_active
from esurety.notifications.services import outbox_enqueue
from esurety.parties.models import User
from esurety.parties.permissions import require_contractor_user, require_staff

# Digests looked up per query when many keys are made at once.
QUERY_CHUNK = 5_000

# Why a key is revealed, and the audit action each reason has always been recorded under
# (the audit log is a hash chain: recorded action names never change).
REVEAL_ACTIONS = {
    "view": "access_key.reveal",  # the contractor's 「表示」
    "notice_pdf": "access_key.reveal",  # the contractor's 「認証キー等のお知らせ」 PDF
    "system": "access_key.hand_over",  # a surety's own system, through the API
}


@dataclass(frozen=True)
class NewKey:
    """A key just stored, and its plain text: the one moment it exists without a decryption."""

    access_key: AccessKey
    plain: str


def access_key_create(*, guarantee: Guarantee, by: User | None, now: dt.datetime) -> str:
    """Generate a key, store only its HMAC and ciphertext; return the plain key to the caller."""
    return _access_key_new(guarantee=guarantee, by=by, now=now).plain


def _access_key_new(*, guarantee: Guarantee, by: User | None, now: dt.datetime) -> NewKey:
    key = keys.generate_key()
    # The digest column is unique; with millions of keys from 24^10 a random repeat
    # somewhere is likely (birthday bound), so draw again instead of failing the conclusion.
    for _ in range(5):
        if not AccessKey.objects.filter(digest=keys.key_digest(key)).exists():
            break
        key = keys.generate_key()
    row = AccessKey.objects.create(
        guarantee=guarantee,
        digest=keys.key_digest(key),
        ciphertext=keys.encrypt_key(key, number=guarantee.number),
        created_at=now,
        created_by=by,
    )
    return NewKey(access_key=row, plain=key)


def access_keys_build_many(guarantees: list[Guarantee], *, by: User, now: dt.datetime) -> list[AccessKey]:
    """Unsaved keys, one fresh key per guarantee, for a bulk insert (一括取込); digests unique among
    themselves and in the database. Nobody sees these keys until a contractor reveals one."""
    drafts: dict[int, str] = {g.pk: keys.generate_key() for g in guarantees}
    digests = {pk: keys.key_digest(key) for pk, key in drafts.items()}
    unchecked = set(drafts)
    for _ in range(5):
        # With millions of keys a random repeat is possible (birthday bound): draw again for those.
        owner: dict[str, int] = {}
        clash: set[int] = set()
        for pk, digest in digests.items():
            if digest in owner:
                clash.add(pk)
            else:
                owner[digest] = pk
        wanted = sorted(digests[pk] for pk in unchecked)
        for start in range(0, len(wanted), QUERY_CHUNK):
            chunk = wanted[start : start + QUERY_CHUNK]
            for taken in AccessKey.objects.filter(digest__in=list(chunk)).values_list("digest", flat=True):
                clash.add(owner[taken])
        if not clash:
            break
        for pk in clash:
            drafts[pk] = keys.generate_key()
            digests[pk] = keys.key_digest(drafts[pk])
        unchecked = clash
    by_pk = {g.pk: g for g in guarantees}
    return [
        AccessKey(
            guarantee_id=pk,
            digest=digests[pk],
            ciphertext=keys.encrypt_key(key, number=by_pk[pk].number),
            created_at=now,
            created_by_id=by.pk,
        )
        for pk, key in drafts.items()
    ]


def access_key_plain(*, guarantee: Guarantee) -> str | None:
    """The active key in plain text, unaudited: for a caller that audits its own step
    (notice.dispatch sends the key inside its PDF) and for tests."""
    active = guarantee.access_keys.filter(revoked_at__isnull=True).first()
    if active is None:
        return None
    return keys.decrypt_key(active.ciphertext, number=guarantee.number)


def _require_may_reveal(*, guarantee: Guarantee, by: User, purpose: str) -> None:
    if purpose not in REVEAL_ACTIONS:
        raise ValueError(f"unknown reveal purpose: {purpose}")
    if purpose == "system":
        # Only a surety's API system user: it shows the key to its customer, as e-Net保証 does.
        require_staff(by, surety=guarantee.surety, branch=guarantee.branch)
        if not hasattr(by, "api_token"):
            raise NotPermitted("認証キーは保証事業会社のシステム（API）にのみ渡します。")
    else:
        require_contractor_user(by, guarantee.contractor)


@transaction.atomic
def access_key_reveal(
    *, guarantee: Guarantee, by: User, now: dt.datetime, purpose: str, plain: str | None = None
) -> str | None:
    """The active key in plain text for whoever may take it, or None for a guarantee without one.

    A key handed out is what lets an orderer (or anyone holding it) read the certificate,
    so who took it, when and why is kept in the audit chain. ``plain`` is the key a step
    of the same transaction has just created (conclusion), so it is not decrypted again.
    """
    _require_may_reveal(guarantee=guarantee, by=by, purpose=purpose)
    key = plain if plain is not None else access_key_plain(guarantee=guarantee)
    if key is None:
        return None
    after: dict[str, str] = {"number": guarantee.number}
    if purpose != "system":
        after["purpose"] = purpose
    audit_record(
        actor=by,
        action=REVEAL_ACTIONS[purpose],
        obj=guarantee,
        at=now,
        after=after,
        surety_id=guarantee.surety_id,
    )
    return key


@transaction.atomic
def access_key_reissue(*, guarantee: Guarantee, by: User, now: dt.datetime) -> NewKey:
    """Revoke the active key at once and create a new one; the contractor reads it in the portal.

    Orderers who already verified keep their access: receipts belong to the
    orderer organisation, not to a key. Neither the staff nor the mail ever see
    the new key; its plain text comes back only so that a surety's system
    (api.services) hands it over through access_key_reveal(plain=...) without
    decrypting what was just encrypted.
    """
    g = lock_guarantee(guarantee)
    require_staff(by, surety=g.surety, branch=g.branch)
    if g.delivery_method != DeliveryMethod.ELECTRONIC:
        raise InvalidStateError(f"保証契約 {g.number} は書面交付のため、認証キーはありません。")
    require_guarantee_active(g, "認証キーを再発行")
    old = list(AccessKey.objects.select_for_update().filter(guarantee=g, revoked_at__isnull=True))
    AccessKey.objects.filter(pk__in=[k.pk for k in old]).update(revoked_at=now)
    new = _access_key_new(guarantee=g, by=by, now=now)
    audit_record(
        actor=by,
        action="access_key.reissue",
        obj=g,
        at=now,
        before={"key_ids": [k.pk for k in old]},
        after={"key_id": new.access_key.pk, "number": g.number},
        surety_id=g.surety_id,
    )
    context = {**common_context(g), "reissued_on": format_wareki(business_date(now), padded=False)}
    for address in contractor_recipients(g):
        outbox_enqueue(template="access_key_reissued", to=[address], context=context, at=now, obj=g)
    return new


_DUMMY_DIGEST = "0" * 64


@dataclass(frozen=True)
class KeyCheck:
    """The outcome of number + key, from one query. `guarantee` is None for an unknown number.

    The guarantee comes back even when the key is wrong: the caller needs its
    beneficiary to pick the limits, and must not show it unless `matched`.
    """

    guarantee: Guarantee | None
    matched: bool

    @property
    def guarantee_id(self) -> int | None:
        return self.guarantee.pk if self.guarantee is not None else None

    @property
    def beneficiary_id(self) -> int | None:
        return self.guarantee.orderer_id if self.guarantee is not None else None


def number_and_key_query(number: str) -> QuerySet[Guarantee]:
    """The guarantee of ``number`` with its active key's digest (``active_digest``): one indexed query.

    Public so that the verification can join its receipt into the same round trip.
    """
    active_digest = AccessKey.objects.filter(guarantee=OuterRef("pk"), revoked_at__isnull=True).values("digest")[:1]
    return Guarantee.objects.filter(number=number).annotate(active_digest=Subquery(active_digest))


# The orderer's hot path runs it on every verification; compiling the guarantee's thirty columns
# and the key's subquery each time cost more than the database's answer. Numbers are digits.
_NUMBER_AND_KEY = FixedQuery(number_and_key_query, number="number-slot")


def key_check_of(guarantee: Guarantee | None, key: str) -> KeyCheck:
    """The key against the digest a number_and_key_query row carries (None: unknown number).

    A miss costs the same as a wrong key: the comparison always runs, so timing does not
    tell numbers apart.
    """
    digest = keys.key_digest(key)
    found = getattr(guarantee, "active_digest", None)
    stored = found if found is not None else _DUMMY_DIGEST
    matched = keys.keys_match(digest, stored) and stored is not _DUMMY_DIGEST
    return KeyCheck(guarantee=guarantee, matched=matched)


def access_key_check(*, number: str, key: str) -> KeyCheck:
    """Number + key in one indexed query; a miss costs the same as a wrong key.

    Inputs must already be normalised. Rate limiting is the caller's job.
    Cancelled or expired guarantees still match: the orderer must see their status.
    """
    # The verification page needs the guarantee itself, so it comes in the same
    # query as the digest: one round trip for the orderer's hot path.
    return key_check_of(_NUMBER_AND_KEY.first(number=number), key)


def access_key_verify(*, number: str, key: str) -> Guarantee | None:
    """Number + key → the guarantee, or None (see access_key_check)."""
    check = access_key_check(number=number, key=key)
    return check.guarantee if check.matched else None
