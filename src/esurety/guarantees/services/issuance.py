"""契約締結: allocate the number, issue certificate version 1 and the access key, tell the contractor."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import OuterRef, Subquery

from esurety.audit.services import audit_record
from esurety.core.clock import business_date
from esurety.core.kinds import DeliveryMethod
from esurety.core.wareki import format_wareki
from esurety.guarantees import keys
from esurety.guarantees.models import (
    AccessKey,
    Application,
    ApplicationStatus,
    Certificate,
    Guarantee,
    GuaranteeStatus,
    PremiumStatement,
    StatementType,
)
from esurety.guarantees.numbering import number_allocate
from esurety.guarantees.premiums import premium_quote
from esurety.guarantees.services.mail import contractor_recipients
from esurety.guarantees.services.steps import (
    application_snapshot,
    lock_application,
    require_application_status,
    require_application_valid,
)
from esurety.notifications.services import outbox_enqueue
from esurety.parties.models import Branch, Contractor, Orderer, SuretyCompany, User
from esurety.parties.permissions import require_staff
from esurety.webhooks.services import webhook_event_publish


def certificate_snapshot(
    *,
    guarantee: Guarantee,
    surety: SuretyCompany,
    branch: Branch,
    contractor: Contractor,
    orderer: Orderer,
    version: int,
    is_amendment: bool,
    issued_on: dt.date,
    issued_at: dt.datetime,
    by: User | None,
) -> Certificate:
    """An unsaved version carrying everything printed on it, copied from the guarantee and its parties."""
    return Certificate(
        guarantee_id=guarantee.pk,
        version=version,
        is_amendment=is_amendment,
        issued_on=issued_on,
        issued_at=issued_at,
        kind=guarantee.kind,
        work_name=guarantee.work_name,
        contract_price=guarantee.contract_price,
        contract_price_consideration=guarantee.contract_price_consideration,
        guaranteed_amount=guarantee.guaranteed_amount,
        period_end=guarantee.period_end,
        completion_date=guarantee.completion_date,
        deposit_bank=guarantee.deposit_bank,
        contractor_name=contractor.name,
        contractor_address=contractor.address,
        orderer_name=orderer.name,
        surety_name=surety.name,
        surety_postal_code=surety.postal_code,
        surety_address=surety.address,
        surety_representative=f"{surety.representative_title} {surety.representative_name}",
        branch_name=branch.name,
        branch_address=branch.address,
        branch_tel=branch.tel,
        branch_fax=branch.fax,
        issued_by_id=by.pk if by is not None else None,
    )


def certificate_issue(*, guarantee: Guarantee, by: User | None, now: dt.datetime, is_amendment: bool) -> Certificate:
    """Store the next immutable version from the guarantee's current terms and parties."""
    version = guarantee.current_version + 1
    certificate = certificate_snapshot(
        guarantee=guarantee,
        surety=guarantee.surety,
        branch=guarantee.branch,
        contractor=guarantee.contractor,
        orderer=guarantee.orderer,
        version=version,
        is_amendment=is_amendment,
        issued_on=business_date(now),
        issued_at=now,
        by=by,
    )
    certificate.save()
    guarantee.current_version = version
    guarantee.latest_issued_on = certificate.issued_on
    guarantee.is_amended = guarantee.is_amended or is_amendment
    guarantee.save(update_fields=["current_version", "latest_issued_on", "is_amended", "updated_at"])
    return certificate


def access_key_create(*, guarantee: Guarantee, by: User | None, now: dt.datetime) -> str:
    """Generate a key, store only its HMAC and ciphertext; return the plain key to the caller."""
    key = keys.generate_key()
    # The digest column is unique; with millions of keys from 24^10 a random repeat
    # somewhere is likely (birthday bound), so draw again instead of failing the conclusion.
    for _ in range(5):
        if not AccessKey.objects.filter(digest=keys.key_digest(key)).exists():
            break
        key = keys.generate_key()
    AccessKey.objects.create(
        guarantee=guarantee,
        digest=keys.key_digest(key),
        ciphertext=keys.encrypt_key(key, number=guarantee.number),
        created_at=now,
        created_by=by,
    )
    return key


@transaction.atomic
def application_conclude(*, application: Application, by: User, now: dt.datetime) -> Guarantee:
    """入金確認 → 契約締結. The certificate is issued once the premium is received."""
    app = lock_application(application)
    require_staff(by, surety=app.surety, branch=app.branch)
    require_application_status(app, ApplicationStatus.PAYMENT_CONFIRMED)
    require_application_valid(app)
    before = application_snapshot(app)

    guarantee = Guarantee.objects.create(
        number=number_allocate(branch=app.branch, kind=app.kind),
        surety=app.surety,
        branch=app.branch,
        contractor=app.contractor,
        orderer=app.orderer,
        application=app,
        advance_guarantee=app.advance_guarantee,
        kind=app.kind,
        work_category=app.work_category,
        work_name=app.work_name,
        contract_date=app.contract_date,
        completion_date=app.completion_date,
        contract_price=app.contract_price,
        contract_price_consideration=app.contract_price_consideration,
        guaranteed_amount=app.guaranteed_amount,
        low_bid=app.low_bid,
        deposit_bank=app.deposit_bank,
        delivery_method=app.delivery_method,
        period_end=app.completion_date,
        status=GuaranteeStatus.ACTIVE,
        concluded_at=now,
    )
    certificate = certificate_issue(guarantee=guarantee, by=by, now=now, is_amendment=False)
    electronic = app.delivery_method == DeliveryMethod.ELECTRONIC
    if electronic:
        access_key_create(guarantee=guarantee, by=by, now=now)

    quote = premium_quote(
        surety=app.surety,
        kind=app.kind,
        guaranteed_amount=app.guaranteed_amount,
        start=app.contract_date,
        end=app.completion_date,
    )
    PremiumStatement.objects.create(
        number=f"R{guarantee.number}-1",
        statement_type=StatementType.RECEIPT,
        guarantee=guarantee,
        issued_on=certificate.issued_on,
        amount=app.premium if app.premium is not None else quote.amount,
        counterparty_name=app.contractor.name,
        breakdown=quote.breakdown(guaranteed_amount=app.guaranteed_amount),
        is_sample_rate=quote.is_sample,
        created_at=now,
    )

    app.status = ApplicationStatus.CONCLUDED
    app.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=by,
        action="application.conclude",
        obj=app,
        at=now,
        before=before,
        after={**application_snapshot(app), "guarantee_number": guarantee.number},
        surety_id=app.surety_id,
    )
    audit_record(
        actor=by,
        action="certificate.issue",
        obj=certificate,
        at=now,
        after={
            "number": guarantee.number,
            "version": 1,
            "electronic": electronic,
            "guaranteed_amount": guarantee.guaranteed_amount,
        },
        surety_id=app.surety_id,
    )
    webhook_event_publish(event="issued", guarantee=guarantee, now=now)

    if electronic:
        # The key itself is never mailed: the contractor reads it in the portal.
        context = {
            "contractor_name": guarantee.contractor.name,
            "surety_name": guarantee.surety.name,
            "kind_full_name": guarantee.kind_full_name,
            "number": guarantee.number,
            "work_name": guarantee.work_name,
            "orderer_name": guarantee.orderer.name,
            "issued_on": format_wareki(certificate.issued_on, padded=False),
        }
        # One message per user: colleagues' addresses are not shown to each other.
        for address in contractor_recipients(guarantee):
            outbox_enqueue(template="certificate_issued", to=[address], context=context, at=now, obj=guarantee)
    return guarantee


def access_key_reveal(*, guarantee: Guarantee) -> str | None:
    """The active key in plain text, for the contractor's own 「表示」 (caller checks visibility)."""
    active = guarantee.access_keys.filter(revoked_at__isnull=True).first()
    if active is None:
        return None
    return keys.decrypt_key(active.ciphertext, number=guarantee.number)


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


def access_key_check(*, number: str, key: str) -> KeyCheck:
    """Number + key in one indexed query; a miss costs the same as a wrong key.

    Inputs must already be normalised. Rate limiting is the caller's job.
    Cancelled or expired guarantees still match: the orderer must see their status.
    """
    digest = keys.key_digest(key)
    active_digest = AccessKey.objects.filter(guarantee=OuterRef("pk"), revoked_at__isnull=True).values("digest")[:1]
    # The verification page needs the guarantee itself, so it comes in the same
    # query as the digest: one round trip for the orderer's hot path.
    guarantee = Guarantee.objects.filter(number=number).annotate(active_digest=Subquery(active_digest)).first()
    found = getattr(guarantee, "active_digest", None)
    stored = found if found is not None else _DUMMY_DIGEST
    # Always compare, even on a miss, so timing does not tell numbers apart.
    matched = keys.keys_match(digest, stored) and stored is not _DUMMY_DIGEST
    return KeyCheck(guarantee=guarantee, matched=matched)


def access_key_verify(*, number: str, key: str) -> Guarantee | None:
    """Number + key → the guarantee, or None (see access_key_check)."""
    check = access_key_check(number=number, key=key)
    return check.guarantee if check.matched else None
