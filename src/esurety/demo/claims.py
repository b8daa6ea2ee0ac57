"""The end of a guarantee in the demo (issue 14): a completed guarantee, a claim under review and a
paid claim among the seed orderer's received advance guarantees, through the real services."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from esurety.claims import services as claims
from esurety.claims.models import ClaimTerms, RefundRule
from esurety.claims.services import ClaimInput, Upload
from esurety.core.kinds import GuaranteeKind
from esurety.guarantees.models import Guarantee, GuaranteeStatus

from .calendar import DEMO_TODAY, moment
from .parties import Cast

# A one-page PDF standing in for the orderer's scanned papers.
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _paper(title: str, name: str) -> Upload:
    return Upload(title=title, file=SimpleUploadedFile(name, _PDF, content_type="application/pdf"))


def seed_claims(cast: Cast) -> None:
    west = cast.west
    # Sample data, marked as such: the sureties do not publish their claim terms or refund rules.
    ClaimTerms.objects.create(
        surety=west.surety,
        effective_from=dt.date(2024, 4, 1),
        filing_deadline_days=90,
        required_documents=["解除通知書", "既済部分検査調書", "前払金の支払を証する書類"],
        includes_progress_payments=True,
        is_sample=True,
    )
    RefundRule.objects.create(
        surety=west.surety, effective_from=dt.date(2024, 4, 1), fee=1_000, rounding_unit=100, is_sample=True
    )
    orderer = cast.tokushima
    received = list(
        Guarantee.objects.filter(
            orderer=orderer.orderer,
            surety=west.surety,
            kind=GuaranteeKind.ADVANCE,
            status=GuaranteeStatus.ACTIVE,
            receipts__orderer=orderer.orderer,
            riders__isnull=True,
            period_end__gt=DEMO_TODAY,
        )
        .exclude(contractor=cast.seed_contractor.contractor)
        .order_by("number")[:3]
    )
    if len(received) < 3:
        return
    completed, under_review, paid = received
    claims.guarantee_complete(
        guarantee=completed,
        by=orderer.user,
        completed_on=DEMO_TODAY - dt.timedelta(days=12),
        inspected_on=DEMO_TODAY - dt.timedelta(days=8),
        inspection_passed=True,
        now=moment(DEMO_TODAY - dt.timedelta(days=7), 10, 30),
    )
    for g, filed_day, reason in (
        (under_review, DEMO_TODAY - dt.timedelta(days=6), "DEFAULT"),
        (paid, DEMO_TODAY - dt.timedelta(days=40), "BANKRUPTCY_TRUSTEE"),
    ):
        data = ClaimInput(
            termination_date=filed_day - dt.timedelta(days=5),
            termination_reason=reason,
            advance_paid=g.guaranteed_amount,
            work_done_value=g.guaranteed_amount // 2,
            statement="受注者が工事を放棄したため、契約を解除しました。"
            if reason == "DEFAULT"
            else "受注者の破産により、破産管財人が契約を解除しました。",
        )
        claim = claims.claim_file(
            guarantee=g,
            by=orderer.user,
            data=data,
            uploads=[_paper("解除通知書", "kaijo-tsuchisho.pdf")],
            now=moment(filed_day, 14, 0),
        )
        claim = claims.claim_request_documents(
            claim=claim,
            by=west.clerk,
            message="既済部分検査調書と、前払金の支払を証する書類（支出命令書の写し等）を添付してください。",
            now=moment(filed_day + dt.timedelta(days=1), 10, 0),
        )
        if g is paid:
            claim = claims.claim_add_documents(
                claim=claim,
                by=orderer.user,
                uploads=[
                    _paper("既済部分検査調書", "kizumi-kensa.pdf"),
                    _paper("前払金の支払を証する書類", "shishutsu.pdf"),
                ],
                now=moment(filed_day + dt.timedelta(days=4), 11, 0),
            )
            claim = claims.claim_assess(
                claim=claim,
                by=west.clerk,
                work_done_value=g.guaranteed_amount // 2,
                note="既済部分検査調書により出来形を確認。",
                now=moment(filed_day + dt.timedelta(days=10), 15, 0),
            )
            claim = claims.claim_decide(
                claim=claim,
                by=west.approver,
                decision="PAY",
                reason="約款に基づき、前払金から既済部分の代価を控除した額を支払います。",
                now=moment(filed_day + dt.timedelta(days=14), 11, 0),
            )
            claims.claim_record_payment(
                claim=claim,
                by=west.clerk,
                paid_on=filed_day + dt.timedelta(days=20),
                now=moment(filed_day + dt.timedelta(days=20), 16, 0),
            )
