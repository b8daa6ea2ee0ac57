"""The pages of the end of a guarantee, as each party uses them; and 404 for everyone else."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from esurety.claims import services as claims
from esurety.claims.kinds import ClaimStatus
from esurety.claims.models import Claim
from esurety.core.clock import business_date
from esurety.guarantees.models import Guarantee, GuaranteeStatus
from esurety.parties.models import Role, User
from tests.claims.helpers import PDF, assess, file_claim, receive, second_approver
from tests.factories import World, make_guarantee, make_orderer, make_surety, make_user

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def guarantee(world: World) -> Guarantee:
    g = make_guarantee(world)
    receive(world, g)
    return g


def test_the_orderer_files_a_claim_with_a_document_from_the_certificate_page(
    world: World, guarantee: Guarantee
) -> None:
    orderer = client_for(world.orderer_user)
    page = orderer.get(f"/verify/certificates/{guarantee.number}/")
    assert "保証債務の履行請求" in page.content.decode() and "完成の届出" in page.content.decode()
    form = orderer.get(f"/verify/certificates/{guarantee.number}/claim/")
    assert form.status_code == 200 and "解除通知書" in form.content.decode()
    answer = orderer.post(
        f"/verify/certificates/{guarantee.number}/claim/",
        {
            "termination_date": (business_date() - dt.timedelta(days=2)).isoformat(),
            "termination_reason": "BANKRUPTCY_TRUSTEE",
            "advance_paid": "４０，０００，０００",
            "work_done_value": "15,000,000円",
            "statement": "破産管財人が契約を解除しました。",
            "document_0": SimpleUploadedFile("解除通知書.pdf", PDF, content_type="application/pdf"),
        },
    )
    claim = Claim.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/verify/claims/{claim.number}/"
    assert claim.claimed_amount == 25_000_000 and claim.termination_reason == "BANKRUPTCY_TRUSTEE"
    detail = orderer.get(answer["Location"]).content.decode()
    assert "受付" in detail and "25,000,000" in detail and "既済部分検査調書" in detail
    listing = orderer.get("/verify/claims/").content.decode()
    assert claim.number in listing
    doc = claim.documents.get()
    download = orderer.get(f"/verify/claims/{claim.number}/documents/{doc.pk}/")
    assert download.status_code == 200 and download.content == PDF


def test_a_claim_form_with_errors_answers_400_beside_the_fields_and_writes_nothing(
    world: World, guarantee: Guarantee
) -> None:
    answer = client_for(world.orderer_user).post(
        f"/verify/certificates/{guarantee.number}/claim/",
        {"termination_date": "2099-12-31", "termination_reason": "DEFAULT", "advance_paid": "abc"},
    )
    assert answer.status_code == 400
    body = answer.content.decode()
    assert "金額は数字で入力してください" in body
    assert not Claim.objects.exists()


def test_the_orderer_reports_completion(world: World, guarantee: Guarantee) -> None:
    answer = client_for(world.orderer_user).post(
        f"/verify/certificates/{guarantee.number}/completion/",
        {
            "completed_on": (business_date() - dt.timedelta(days=3)).isoformat(),
            "inspected_on": business_date().isoformat(),
            "inspection_passed": "on",
        },
    )
    assert answer.status_code == 302
    guarantee.refresh_from_db()
    assert guarantee.status == GuaranteeStatus.COMPLETED
    page = client_for(world.orderer_user).get(f"/verify/certificates/{guarantee.number}/").content.decode()
    assert '状態: <strong class="status-label status-label--完了">完了</strong>' in page


def test_staff_ask_for_documents_assess_decide_and_pay_through_the_pages(world: World, guarantee: Guarantee) -> None:
    claim = file_claim(world, guarantee)
    clerk = client_for(world.clerk)
    queue = clerk.get("/office/claims/").content.decode()
    assert claim.number in queue
    page = clerk.get(f"/office/claims/{claim.number}/").content.decode()
    assert "保証金の計算" in page and "25,000,000" in page and "既済部分の代価" in page
    clerk.post(f"/office/claims/{claim.number}/request-documents/", {"message": "既済部分検査調書を添付してください。"})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DOCUMENTS_REQUESTED
    orderer = client_for(world.orderer_user)
    assert "既済部分検査調書を添付してください。" in orderer.get(f"/verify/claims/{claim.number}/").content.decode()
    orderer.post(
        f"/verify/claims/{claim.number}/",
        {"document_0": SimpleUploadedFile("chosho.pdf", PDF, content_type="application/pdf")},
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW and claim.documents.count() == 2
    clerk.post(f"/office/claims/{claim.number}/assess/", {"work_done_value": "16,000,000", "note": "出来形を確認"})
    claim.refresh_from_db()
    assert claim.assessed_amount == 24_000_000
    # The assessor's page offers no decision; an approver's does.
    assert "決定する" not in clerk.get(f"/office/claims/{claim.number}/").content.decode()
    approver = client_for(world.approver)
    assert "決定する" in approver.get(f"/office/claims/{claim.number}/").content.decode()
    approver.post(f"/office/claims/{claim.number}/decide/", {"decision": "PAY", "reason": "約款に基づき支払います。"})
    clerk.post(f"/office/claims/{claim.number}/payment/", {"paid_on": business_date().isoformat()})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID
    guarantee.refresh_from_db()
    assert guarantee.status == GuaranteeStatus.PAID_OUT
    staff_page = clerk.get(f"/office/guarantees/{guarantee.number}/").content.decode()
    assert "保証履行済" in staff_page
    # The contractor sees the claim and its outcome, not the conversation.
    contractor = client_for(world.contractor_user)
    assert claim.number in contractor.get("/contractor/claims/").content.decode()
    mine = contractor.get(f"/contractor/claims/{claim.number}/").content.decode()
    assert "支払済" in mine and "既済部分検査調書を添付" not in mine
    # The orderer's page shows the end state too.
    assert "保証履行済" in orderer.get(f"/verify/certificates/{guarantee.number}/").content.decode()


def test_a_second_approver_is_needed_after_an_approver_assessed(world: World, guarantee: Guarantee) -> None:
    claim = assess(world, file_claim(world, guarantee), by=world.approver)
    answer = client_for(world.approver).post(
        f"/office/claims/{claim.number}/decide/", {"decision": "PAY", "reason": "支払う"}
    )
    assert answer.status_code == 400 and "自分が審査した" in answer.content.decode()
    client_for(second_approver(world)).post(
        f"/office/claims/{claim.number}/decide/", {"decision": "REFUSE", "reason": "解除が保証期間外"}
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REFUSED


def test_everyone_not_entitled_gets_404_and_nothing_changes(world: World, guarantee: Guarantee) -> None:
    claim = file_claim(world, guarantee)
    doc = claim.documents.get()
    other_surety, _ = make_surety("東日本建設業保証株式会社", first_number=3_000_000_001)
    outsiders = {
        "other orderer": make_user("kochi", orderer=make_orderer("高知県")),
        "other contractor": world.other_contractor_user,
        "other surety": make_user("eve", surety=other_surety, role=Role.APPROVER),
        "other branch": make_user("far", surety=world.surety, branch=other_branch_of(world), role=Role.APPROVER),
    }
    other = make_guarantee(world, work_name="別の工事")
    for who, user in outsiders.items():
        client = client_for(user)
        for url in (
            f"/verify/claims/{claim.number}/",
            f"/verify/claims/{claim.number}/documents/{doc.pk}/",
            f"/verify/certificates/{other.number}/claim/",
            f"/verify/certificates/{other.number}/completion/",
            f"/office/claims/{claim.number}/",
            f"/office/claims/{claim.number}/documents/{doc.pk}/",
            f"/office/guarantees/{guarantee.number}/completion/",
            f"/contractor/claims/{claim.number}/",
        ):
            assert client.get(url).status_code == 404, (who, url)
        for url, data in (
            (f"/office/claims/{claim.number}/decide/", {"decision": "PAY", "reason": "x"}),
            (f"/office/claims/{claim.number}/assess/", {"work_done_value": "0", "note": "x"}),
            (f"/verify/claims/{claim.number}/", {}),
        ):
            assert client.post(url, data).status_code == 404, (who, url)
    # The beneficiary cannot claim on a certificate it has not received.
    assert client_for(world.orderer_user).get(f"/verify/certificates/{other.number}/claim/").status_code == 404
    # The contractor sees no document of the claim (the orderer's and the surety's correspondence).
    assert (
        client_for(world.contractor_user).get(f"/verify/claims/{claim.number}/documents/{doc.pk}/").status_code == 404
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RECEIVED and claim.assessed_by_id is None
    other.refresh_from_db()
    assert other.status == GuaranteeStatus.ACTIVE


def other_branch_of(world: World):  # type: ignore[no-untyped-def]
    from esurety.parties.models import Branch

    return Branch.objects.create(surety=world.surety, name="徳島支店", address="徳島市", tel="088-000-0000")


def test_a_claim_writes_its_moments_like_every_timestamp_and_its_business_dates_in_the_japanese_era(
    world: World, guarantee: Guarantee
) -> None:
    """When something happened (請求日時, 決定, the history, the documents) reads 2026/12/07 00:30 like
    every other timestamp of the product (受領済み一覧, 監査ログ, the guarantee's history), Tokyo
    time; business dates (契約解除日, 支払日) read 令和 like the certificate's. The claim pages once
    wrote 令和8年12月7日 00:30 beside 2026/12/07 00:30 in the history below it."""
    claim = assess(world, file_claim(world, guarantee))
    claim = claims.claim_decide(
        claim=claim, by=second_approver(world), decision="PAY", reason="支払います。", now=timezone.now()
    )
    # 00:30 in Tokyo on 7 December is still 6 December in UTC.
    Claim.objects.filter(pk=claim.pk).update(
        filed_at=dt.datetime(2026, 12, 6, 15, 30, tzinfo=dt.UTC),
        decided_at=dt.datetime(2026, 12, 9, 1, 5, tzinfo=dt.UTC),
        termination_date=dt.date(2026, 12, 1),
    )
    for client, path in (
        (client_for(world.orderer_user), f"/verify/claims/{claim.number}/"),
        (client_for(world.contractor_user), f"/contractor/claims/{claim.number}/"),
        (client_for(world.clerk), f"/office/claims/{claim.number}/"),
    ):
        body = client.get(path).content.decode()
        assert '<th scope="row">請求日時</th><td>2026/12/07 00:30</td>' in body, path
        assert '<td>支払<span class="nowrap">（2026/12/09 10:05）</span>' in body, path
        assert '<th scope="row">契約解除日</th><td>令和8年12月1日</td>' in body, path
        # No moment in 和暦 with a clock time beside it, on any part of the page.
        assert not re.search(r"令和\d+年\d+月\d+日 \d\d:\d\d", body), path
    # The lists: the day in the orderer's and the contractor's, with its time in the staff's queue.
    for client, path, shown in (
        (client_for(world.orderer_user), "/verify/claims/", '<td class="nowrap">2026/12/07</td>'),
        (client_for(world.contractor_user), "/contractor/claims/", '<td class="nowrap">2026/12/07</td>'),
        (client_for(world.clerk), "/office/claims/", '<td class="nowrap">2026/12/07 00:30</td>'),
    ):
        body = client.get(path).content.decode()
        assert shown in body and "令和8年12月7日" not in body, path
