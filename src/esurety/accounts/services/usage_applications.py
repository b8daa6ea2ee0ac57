"""利用申込: a company's request to use the service, decided by the surety's staff.

Approval registers the company and its first 管理者 and mails the set-password link.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from esurety.accounts.models import UsageApplication, UsageApplicationStatus
from esurety.accounts.services.people import mail_set_password_link, new_customer_id, normalize_email, user_snapshot
from esurety.audit.changes import audited_change, audited_create
from esurety.core.errors import DomainError, InvalidStateError, RuleViolation
from esurety.notifications.services import outbox_enqueue
from esurety.parties.models import Contractor, Role, SuretyCompany, User
from esurety.parties.permissions import require_staff


@dataclass(frozen=True)
class UsageApplicationInput:
    surety_id: int
    company_name: str
    postal_code: str
    address: str
    tel: str
    representative_title: str
    representative_name: str
    applicant_name: str
    applicant_email: str


def usage_application_snapshot(ua: UsageApplication) -> dict[str, Any]:
    return {
        "status": ua.status,
        "company_name": ua.company_name,
        "applicant_email": ua.applicant_email,
        "contractor_id": ua.contractor_id,
        "first_user_id": ua.first_user_id,
        "reject_reason": ua.reject_reason,
    }


@transaction.atomic
def usage_application_submit(*, data: UsageApplicationInput, now: dt.datetime) -> UsageApplication:
    """A public 利用申込 from the sign-up form; status 受付, waiting for the surety's staff."""
    surety = SuretyCompany.objects.filter(pk=data.surety_id).first()
    if surety is None:
        raise DomainError("入力に誤りがあります。", [RuleViolation("surety", "保証事業会社を選択してください。")])
    email = normalize_email(data.applicant_email, "applicant_email")
    ua = UsageApplication(
        surety=surety,
        company_name=data.company_name.strip(),
        postal_code=data.postal_code.strip(),
        address=data.address.strip(),
        tel=data.tel.strip(),
        representative_title=data.representative_title.strip(),
        representative_name=data.representative_name.strip(),
        applicant_name=data.applicant_name.strip(),
        applicant_email=email,
        status=UsageApplicationStatus.RECEIVED,
        submitted_at=now,
    )
    return audited_create(
        ua,
        by=None,
        now=now,
        action="usage_application.submit",
        snapshot=usage_application_snapshot,
        surety_id=surety.pk,
    )


def _lock_received(usage_application: UsageApplication, by: User) -> UsageApplication:
    # Lock the row so that two staff deciding at once cannot both act on it.
    ua = UsageApplication.objects.select_for_update().select_related("surety").get(pk=usage_application.pk)
    require_staff(by, surety=ua.surety, branch=None)
    if ua.status != UsageApplicationStatus.RECEIVED:
        raise InvalidStateError(
            f"この利用申込は「{ua.get_status_display()}」のため、この操作はできません（受付の申込のみ）。"
        )
    return ua


@transaction.atomic
def usage_application_approve(*, usage_application: UsageApplication, by: User, now: dt.datetime) -> UsageApplication:
    """Register the company and its first user (企業の管理者) and send the 利用開始通知."""
    ua = _lock_received(usage_application, by)
    contractor = Contractor.objects.create(
        name=ua.company_name,
        postal_code=ua.postal_code,
        address=ua.address,
        representative_title=ua.representative_title,
        representative_name=ua.representative_name,
    )
    user = User(
        username=new_customer_id(),
        email=ua.applicant_email,
        display_name=ua.applicant_name,
        contractor=contractor,
        role=Role.ORG_ADMIN,
    )
    # No password until the user sets one through the link in the mail.
    user.set_unusable_password()
    user.save()
    audited_change(
        ua,
        by=by,
        now=now,
        action="usage_application.approve",
        changes={
            "status": UsageApplicationStatus.APPROVED,
            "decided_at": now,
            "decided_by": by,
            "contractor": contractor,
            "first_user": user,
        },
        snapshot=usage_application_snapshot,
        surety_id=ua.surety_id,
    )
    audited_create(user, by=by, now=now, action="user.create", snapshot=user_snapshot, surety_id=ua.surety_id)
    mail_set_password_link(
        user=user,
        template="usage_started",
        context={
            "company_name": contractor.name,
            "display_name": user.display_name,
            "surety_name": ua.surety.name,
        },
        now=now,
    )
    return ua


@transaction.atomic
def usage_application_reject(
    *, usage_application: UsageApplication, by: User, reason: str, now: dt.datetime
) -> UsageApplication:
    """Decline a 利用申込; the applicant is told why by e-mail."""
    reason = reason.strip()
    if not reason:
        raise DomainError("入力に誤りがあります。", [RuleViolation("reason", "否決の理由を入力してください。")])
    ua = _lock_received(usage_application, by)
    audited_change(
        ua,
        by=by,
        now=now,
        action="usage_application.reject",
        changes={
            "status": UsageApplicationStatus.REJECTED,
            "decided_at": now,
            "decided_by": by,
            "reject_reason": reason,
        },
        snapshot=usage_application_snapshot,
        surety_id=ua.surety_id,
    )
    outbox_enqueue(
        template="usage_rejected",
        to=[ua.applicant_email],
        context={
            "company_name": ua.company_name,
            "applicant_name": ua.applicant_name,
            "surety_name": ua.surety.name,
            "reason": reason,
        },
        at=now,
        obj=ua,
    )
    return ua
