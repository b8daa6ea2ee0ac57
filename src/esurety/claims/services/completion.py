"""完成: the orderer reports the works complete (or the surety records it from the orderer's notice)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from esurety.claims.kinds import CompletionSource
from esurety.claims.models import Completion
from esurety.claims.services.common import guarantee_status_change, lock_guarantee_row, raise_if
from esurety.core.clock import business_date
from esurety.core.errors import InvalidStateError, NotPermitted, RuleViolation
from esurety.core.text import text_error
from esurety.core.wareki import format_wareki
from esurety.guarantees.events import guarantee_event_publish
from esurety.guarantees.models import Guarantee, GuaranteeStatus
from esurety.guarantees.services.mail import notify_parties
from esurety.parties.models import User
from esurety.parties.permissions import require_beneficiary_holder, require_staff
from esurety.webhooks.models import WebhookEvent

# A guarantee whose period ran out before the completion inspection can still be completed.
COMPLETABLE = (GuaranteeStatus.ACTIVE, GuaranteeStatus.EXPIRED)


def _require_may_record(by: User, g: Guarantee) -> str:
    if by.orderer_id is not None:
        require_beneficiary_holder(
            by, orderer=g.orderer, holds_certificate=g.receipts.filter(orderer_id=by.orderer_id).exists()
        )
        return CompletionSource.ORDERER
    if by.surety_id is not None:
        require_staff(by, surety=g.surety, branch=g.branch)
        return CompletionSource.SURETY
    raise NotPermitted("完成の届出は、発注者または保証会社の職員が行います。")


@transaction.atomic
def guarantee_complete(
    *,
    guarantee: Guarantee,
    by: User,
    completed_on: dt.date,
    inspected_on: dt.date,
    inspection_passed: bool,
    note: str = "",
    now: dt.datetime,
) -> list[Guarantee]:
    """Record 完成 after a passed 完成検査: the guarantee and its riders on the same works (the
    中間前払金保証 and 契約保証 end with the works) become 完了. Returns the guarantees completed."""
    # Rows are locked (the guarantee, then its riders) so that a claim filed at the same moment
    # and this completion run one after the other, the second refused by the state check.
    g = lock_guarantee_row(guarantee.pk)
    source = _require_may_record(by, g)
    if g.status not in COMPLETABLE:
        raise InvalidStateError(f"保証契約 {g.number} は「{g.get_status_display()}」のため完成を記録できません。")
    today = business_date(now)
    violations = []
    if not inspection_passed:
        violations.append(
            RuleViolation("inspection_passed", "完成検査に合格した後に届け出てください（合格の確認が必要です）。")
        )
    if completed_on > today:
        violations.append(RuleViolation("completed_on", "完成日に未来の日付は入力できません。"))
    if inspected_on > today:
        violations.append(RuleViolation("inspected_on", "完成検査日に未来の日付は入力できません。"))
    if inspected_on < completed_on:
        violations.append(RuleViolation("inspected_on", "完成検査日は完成日以降の日付を入力してください。"))
    if completed_on < g.contract_date:
        violations.append(RuleViolation("completed_on", "完成日が契約締結日より前です。"))
    note = (note or "").strip()
    error = text_error(note)
    if error:
        violations.append(RuleViolation("note", error))
    elif len(note) > 200:
        violations.append(RuleViolation("note", "備考は200文字以内で入力してください。"))
    raise_if(violations)
    done = [g]
    riders = [lock_guarantee_row(pk) for pk in g.riders.filter(status__in=COMPLETABLE).values_list("pk", flat=True)]
    done.extend(riders)
    for item in done:
        Completion.objects.create(
            guarantee=item,
            completed_on=completed_on,
            inspected_on=inspected_on,
            inspection_passed=True,
            source=source,
            note=note,
            recorded_by=by,
            recorded_at=now,
            status_before=item.status,
        )
        guarantee_status_change(
            item,
            to=GuaranteeStatus.COMPLETED,
            by=by,
            now=now,
            action="guarantee.complete",
            extra={
                "completed_on": completed_on.isoformat(),
                "inspected_on": inspected_on.isoformat(),
                "source": source,
                **({"with": g.number} if item is not g else {}),
            },
        )
        guarantee_event_publish(
            event=WebhookEvent.COMPLETED,
            guarantee=item,
            now=now,
            extra={"completed_on": completed_on, "inspected_on": inspected_on},
        )
        notify_parties(
            g=item,
            template="guarantee_completed",
            context={
                "completed_on": format_wareki(completed_on, padded=False),
                "inspected_on": format_wareki(inspected_on, padded=False),
            },
            now=now,
        )
    return done
