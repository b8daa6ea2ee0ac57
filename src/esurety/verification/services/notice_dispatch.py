"""「発注者へ送信」: the contractor sends the key notice PDF by e-mail to the orderer's department."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from django.conf import settings
from django.db import transaction

from esurety.accounts import ratelimit
from esurety.accounts.ratelimit import Limit
from esurety.audit.services import audit_record
from esurety.core.errors import DomainError, InvalidStateError
from esurety.core.kinds import DeliveryMethod, kind_full_name
from esurety.documents import pdf
from esurety.guarantees.models import Guarantee
from esurety.guarantees.services import access_key_plain
from esurety.notifications.services import Attachment, outbox_enqueue
from esurety.parties.models import User
from esurety.parties.permissions import require_contractor_user
from esurety.verification.models import NoticeDispatch
from esurety.verification.selectors import notice_department_for

# Enough for a resend after a typo or a lost mail; not enough to flood an orderer's inbox.
DISPATCH_PER_GUARANTEE = Limit("notice-dispatch", max_attempts=5, window_seconds=3600)
# A second send this soon after the first is a double click, not a decision to resend.
DUPLICATE_WINDOW = dt.timedelta(seconds=30)

NO_DEPARTMENT_MESSAGE = (
    "発注者に送信先が登録されていません。PDFをダウンロードして発注者の指示する方法で提出してください。"
)

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class NoDepartment(DomainError):
    def __init__(self) -> None:
        super().__init__(NO_DEPARTMENT_MESSAGE)


class DispatchLimited(DomainError):
    def __init__(self, seconds: int) -> None:
        minutes = max(1, -(-seconds // 60))
        super().__init__(
            f"この保証契約の送信が続いたため、一時的に送信を停止しています。約{minutes}分後に再度お試しください。"
        )
        self.seconds = seconds


def fill_placeholders(template: str, values: Mapping[str, str]) -> str:
    """{name} → value; anything else ({unknown}, a lone brace, {kind:>5}) stays as written.

    str.format would raise on those, and an orderer's subject line must never stop a notice.
    """
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def notice_subject(guarantee: Guarantee) -> str:
    """The subject the orderer asked for (Orderer.notice_subject_template)."""
    values = {
        "kind": kind_full_name(guarantee.kind),
        "number": guarantee.number,
        "work_name": guarantee.work_name,
        "contractor": guarantee.contractor.name,
    }
    return fill_placeholders(guarantee.orderer.notice_subject_template, values)


@transaction.atomic
def notice_dispatch_send(*, guarantee: Guarantee, by: User, now: dt.datetime) -> NoticeDispatch:
    """Queue the 「認証キー等のお知らせ」 PDF to the orderer department that takes this kind.

    The key travels only inside the PDF, never in the mail's text or the audit log.
    """
    require_contractor_user(by, guarantee.contractor)
    if guarantee.delivery_method != DeliveryMethod.ELECTRONIC:
        raise InvalidStateError("書面交付の保証契約には認証キーがありません。")
    key = access_key_plain(guarantee=guarantee)
    if key is None:
        raise InvalidStateError("この保証契約には有効な認証キーがないため、送信できません。")
    department = notice_department_for(guarantee=guarantee)
    if department is None:
        raise NoDepartment()
    wait = ratelimit.is_blocked(DISPATCH_PER_GUARANTEE, str(guarantee.pk), now=now.timestamp())
    if wait:
        raise DispatchLimited(wait)
    # The guarantee's row lock makes a double click (two requests at once) wait here and
    # then see the first one's dispatch, so the orderer gets one mail, not two.
    Guarantee.objects.select_for_update().filter(pk=guarantee.pk).values_list("pk").first()
    if NoticeDispatch.objects.filter(guarantee=guarantee, sent_at__gt=now - DUPLICATE_WINDOW).exists():
        raise InvalidStateError(
            "この保証契約の「認証キー等のお知らせ」は、たった今送信を受け付けました。"
            "送信の状況は保証工事一覧でご確認ください。"
        )

    filename = pdf.key_notice_filename(guarantee)
    document = pdf.key_notice_pdf(guarantee=guarantee, key=key, issued_at=now)
    context = {
        "subject": notice_subject(guarantee),
        "department_name": department.name,
        "orderer_name": guarantee.orderer.name,
        "contractor_name": guarantee.contractor.name,
        "sender_name": by.display_name or by.get_username(),
        "sender_email": by.email,
        "kind_full_name": kind_full_name(guarantee.kind),
        "number": guarantee.number,
        "work_name": guarantee.work_name,
        "surety_name": guarantee.surety.name,
        "verify_url": f"{settings.SITE_URL}/verify/",
        "filename": filename,
    }
    message = outbox_enqueue(
        template="notice_dispatch",
        to=[department.email],
        context=context,
        at=now,
        obj=guarantee,
        attachments=[Attachment(filename=filename, content=document, content_type="application/pdf")],
        reply_to=[by.email],
    )
    if message is None:  # the department has no address: the office form requires one
        raise NoDepartment()
    dispatch = NoticeDispatch.objects.create(
        guarantee=guarantee,
        department=department,
        department_name=department.name,
        email=department.email,
        sent_by=by,
        sent_at=now,
        outbox=message,
    )
    audit_record(
        actor=by,
        action="notice.dispatch",
        obj=dispatch,
        at=now,
        after={
            "number": guarantee.number,
            "department": department.name,
            "email": department.email,
            "outbox_id": message.pk,
        },
        surety_id=guarantee.surety_id,
    )
    # Counted last: a refused or failed attempt does not use up the allowance.
    ratelimit.record_failure(DISPATCH_PER_GUARANTEE, str(guarantee.pk), now=now.timestamp())
    return dispatch
