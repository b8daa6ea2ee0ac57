"""Claims test data: a received advance guarantee and a claim on it, through the real services."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from esurety.claims import services as claims
from esurety.claims.models import Claim
from esurety.claims.services import ClaimInput, Upload
from esurety.core.clock import business_date
from esurety.guarantees import services
from esurety.guarantees.models import Guarantee
from esurety.parties.models import Role, User
from esurety.verification import services as verification
from tests.factories import World, make_user

PDF = b"%PDF-1.4\n% test document\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def receive(world: World, guarantee: Guarantee, *, user: User | None = None) -> None:
    key = services.access_key_plain(guarantee=guarantee)
    assert key is not None
    verification.certificate_verify(
        user=user or world.orderer_user, number=guarantee.number, key=key, client_ip="192.0.2.10", now=timezone.now()
    )


def pdf(title: str = "解除通知書", name: str = "kaijo.pdf") -> Upload:
    return Upload(title=title, file=SimpleUploadedFile(name, PDF, content_type="application/pdf"))


def claim_input(**overrides: object) -> ClaimInput:
    data: dict[str, object] = {
        "termination_date": business_date() - dt.timedelta(days=3),
        "termination_reason": "DEFAULT",
        "advance_paid": 40_000_000,
        "work_done_value": 15_000_000,
        "statement": "受注者の工事放棄により契約を解除しました。",
    }
    data.update(overrides)
    return ClaimInput(**data)  # type: ignore[arg-type]


def file_claim(world: World, guarantee: Guarantee, *, by: User | None = None, **overrides: object) -> Claim:
    return claims.claim_file(
        guarantee=guarantee,
        by=by or world.orderer_user,
        data=claim_input(**overrides),
        uploads=[pdf()],
        now=timezone.now(),
    )


def second_approver(world: World) -> User:
    return make_user("approver2", surety=world.surety, role=Role.APPROVER)


def assess(world: World, claim: Claim, *, work_done_value: int = 15_000_000, by: User | None = None) -> Claim:
    return claims.claim_assess(
        claim=claim, by=by or world.clerk, work_done_value=work_done_value, note="出来形を確認", now=timezone.now()
    )
