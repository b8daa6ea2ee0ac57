"""照合結果（署名付きPDF）: the orderer's signed record of what it verified, when, by whom, with which status."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from esurety.core.clock import TOKYO
from esurety.core.wareki import format_wareki
from esurety.guarantees import services as gservices
from esurety.guarantees.models import Guarantee
from esurety.parties.models import Role, User
from esurety.signing.models import DocumentKind, IssuedDocument
from esurety.signing.validation import pdf_signature_check
from esurety.verification.models import ViewRecord
from esurety.verification.result_pdf import certificate_content_digest
from tests.factories import World, amend_amount, make_guarantee, make_orderer, make_user


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, check=True, capture_output=True).stdout
    return re.sub(r"\s+", "", out.decode())


@pytest.fixture
def verified(world: World) -> tuple[Guarantee, Client]:
    g = make_guarantee(world)
    key = gservices.access_key_plain(guarantee=g)
    assert key is not None
    world.orderer_user.display_name = "照合 花子"
    world.orderer_user.save(update_fields=["display_name"])
    client = login(world.orderer_user)
    assert client.post("/verify/", {"number": g.number, "key": key}).status_code == 303
    return g, client


def test_certificate_page_offers_the_signed_receipt(verified: tuple[Guarantee, Client]) -> None:
    g, client = verified
    page = client.get(f"/verify/certificates/{g.number}/").content.decode()
    assert f'href="/verify/certificates/{g.number}/receipt.pdf"' in page
    assert "照合結果（署名付きPDF）をダウンロード" in page


def test_receipt_records_the_verification_and_is_signed_by_the_surety(
    world: World, verified: tuple[Guarantee, Client]
) -> None:
    g, client = verified
    view = ViewRecord.objects.filter(user=world.orderer_user).latest("at")
    response = client.get(f"/verify/certificates/{g.number}/receipt.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    data = response.content

    text = text_of(data)
    at = view.at.astimezone(TOKYO)
    assert "保証証書照合結果" in text
    assert f"保証契約番号{g.number}" in text
    assert "保証の種類前払金保証" in text
    assert "保証会社西日本建設業保証株式会社" in text
    assert "債権者（発注者）徳島市上下水道事業管理者" in text
    assert "工事名〇〇道路改良工事" in text
    assert "保証金額40,000,000円" in text
    assert "照合した版第1版" in text
    assert "状態有効" in text
    assert f"照合日時{format_wareki(at.date(), padded=False)}{at:%H:%M}" in text
    assert "照合者徳島市上下水道事業管理者照合花子" in text
    assert certificate_content_digest(g.certificates.get(version=1), number=g.number) in text

    report = pdf_signature_check(data)
    assert report.valid, report.problem
    assert report.surety == world.surety
    issued = IssuedDocument.objects.get(kind=DocumentKind.VERIFICATION_RESULT)
    assert (issued.guarantee, issued.certificate_version, issued.surety) == (g, 1, world.surety)

    # Anyone holding it can confirm it on the public check page.
    check = (
        Client()
        .post("/check/", {"document": SimpleUploadedFile("r.pdf", data, content_type="application/pdf")})
        .content.decode()
    )
    assert "esurety で発行した書類そのものです" in check
    assert "照合結果" in check and g.number in check


def test_receipt_of_a_superseded_version_says_so(world: World, verified: tuple[Guarantee, Client]) -> None:
    g, client = verified
    amend_amount(
        guarantee=g,
        by=world.clerk,
        contract_price=110_000_000,
        guaranteed_amount=44_000_000,
        effective_on=g.contract_date,
        reason="設計変更",
        now=timezone.now(),
    )
    # The user's last verification saw version 1; the receipt records that, and that it changed since.
    text = text_of(client.get(f"/verify/certificates/{g.number}/receipt.pdf").content)
    assert "照合した版第1版" in text and "保証金額40,000,000円" in text
    assert "状態変更あり（第2版が発行されています）" in text


def test_versions_have_distinct_stable_digests(world: World, verified: tuple[Guarantee, Client]) -> None:
    g, _ = verified
    amend_amount(
        guarantee=g,
        by=world.clerk,
        contract_price=110_000_000,
        guaranteed_amount=44_000_000,
        effective_on=g.contract_date,
        reason="設計変更",
        now=timezone.now(),
    )
    v1, v2 = g.certificates.get(version=1), g.certificates.get(version=2)
    digest = certificate_content_digest(v1, number=g.number)
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert digest == certificate_content_digest(g.certificates.get(version=1), number=g.number)
    assert digest != certificate_content_digest(v2, number=g.number)


def test_another_orderer_gets_404(world: World, verified: tuple[Guarantee, Client]) -> None:
    g, _ = verified
    stranger = make_user("stranger", orderer=make_orderer("他市水道事業管理者"), role=Role.MEMBER)
    response = login(stranger).get(f"/verify/certificates/{g.number}/receipt.pdf")
    assert response.status_code == 404
    assert not IssuedDocument.objects.filter(kind=DocumentKind.VERIFICATION_RESULT).exists()


def test_contractor_and_anonymous_get_no_receipt(world: World, verified: tuple[Guarantee, Client]) -> None:
    g, _ = verified
    assert login(world.contractor_user).get(f"/verify/certificates/{g.number}/receipt.pdf").status_code == 404
    anonymous = Client().get(f"/verify/certificates/{g.number}/receipt.pdf")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_a_colleague_who_never_verified_has_no_record_to_sign(world: World, verified: tuple[Guarantee, Client]) -> None:
    g, _ = verified
    colleague = make_user("colleague", orderer=world.orderer, role=Role.MEMBER)
    client = login(colleague)
    assert client.get(f"/verify/certificates/{g.number}/receipt.pdf").status_code == 404
    # Opening the certificate records a view; that view is what the receipt then records.
    client.get(f"/verify/certificates/{g.number}/")
    text = text_of(client.get(f"/verify/certificates/{g.number}/receipt.pdf").content)
    assert "照合者徳島市上下水道事業管理者colleague" in text
    assert "受領済み一覧から閲覧" in text
