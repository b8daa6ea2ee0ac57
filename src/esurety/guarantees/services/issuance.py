"""契約締結: allocate the number, issue certificate version 1 and the access key, tell the contractor."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from esurety.audit.services import audit_record
from esurety.core.clock import business_date
from esurety.core.kinds import DeliveryMethod
from esurety.core.wareki import format_wareki
from esurety.guarantees.events import guarantee_event_publish
from esurety.guarantees.models import (
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
from esurety.guarantees.services.access_keys import access_key_create
from esurety.guarantees.services.mail import contractor_recipients
from esurety.guarantees.services.steps import (
    application_snapshot,
    audited_change,
    lock_application,
    require_application_status,
    require_application_valid,
)
from esurety.notifications.services import outbox_enqueue
from esurety.parties.models import Branch, Contractor, Orderer, SuretyCompany, User
from esurety.parties.permissions import require_staff


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


@dataclass(frozen=True)
class Concluded:
    """A conclusion's outcome. ``access_key`` is the plain key of an electronic guarantee,
    given once to the caller (None for paper): only a surety's system takes it further,
    through access_key_reveal, so that the hand-over is audited."""

    guarantee: Guarantee
    access_key: str | None


@transaction.atomic
def application_conclude(*, application: Application, by: User, now: dt.datetime) -> Concluded:
    """入金確認 → 契約締結. The certificate is issued once the premium is received."""
    app = lock_application(application)
    require_staff(by, surety=app.surety, branch=app.branch)
    require_application_status(app, ApplicationStatus.PAYMENT_CONFIRMED)
    require_application_valid(app)

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
    plain_key = access_key_create(guarantee=guarantee, by=by, now=now) if electronic else None

    quote = premium_quote(
        surety=app.surety,
        kind=app.kind,
        guaranteed_amount=app.guaranteed_amount,
        start=app.contract_date,
        end=app.completion_date,
    )
    PremiumStatement.objects.create(
        number=f"R{guarantee.number}-1",
        statement_type=StatementType.PREMIUM_RECEIPT,
        guarantee=guarantee,
        issued_on=certificate.issued_on,
        amount=app.premium if app.premium is not None else quote.amount,
        counterparty_name=app.contractor.name,
        breakdown=quote.breakdown(guaranteed_amount=app.guaranteed_amount),
        is_sample_rate=quote.is_sample,
        created_at=now,
    )

    audited_change(
        app,
        by=by,
        now=now,
        action="application.conclude",
        changes={"status": ApplicationStatus.CONCLUDED},
        snapshot=application_snapshot,
        surety_id=app.surety_id,
        after_extra={"guarantee_number": guarantee.number},
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
    guarantee_event_publish(event="issued", guarantee=guarantee, now=now)

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
    return Concluded(guarantee=guarantee, access_key=plain_key)
