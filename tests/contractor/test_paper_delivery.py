"""A paper (書面) guarantee: the contractor is told the paper certificate comes from the surety.

No key notice and no お知らせ mail exist for paper, so its pages must not send the
contractor looking for them; the electronic pages keep their instructions.
"""

from __future__ import annotations

import re

import pytest

from esurety.core.kinds import DeliveryMethod
from esurety.guarantees.models import Guarantee
from tests.contractor.portal import client_for, visible_text
from tests.factories import World, make_guarantee

PAPER_SAYS = "保証証書（書面）は西日本建設業保証株式会社 大塚支店から郵送または窓口でお渡しします。"


def text(world: World, url: str) -> str:
    response = client_for(world.contractor_user).get(url)
    assert response.status_code == 200, url
    return visible_text(response.content.decode())


def main_text(world: World, url: str) -> str:
    """The page's own content: the portal's header names the service 「電子証書」 on every page."""
    response = client_for(world.contractor_user).get(url)
    assert response.status_code == 200, url
    main = re.search(r"<main\b.*?</main>", response.content.decode(), flags=re.S)
    assert main is not None, url
    return visible_text(main.group(0))


def pages(world: World, g: Guarantee) -> dict[str, str]:
    assert g.application is not None
    return {
        "certificate": text(world, f"/contractor/guarantees/{g.number}/"),
        "print": text(world, f"/contractor/guarantees/{g.number}/print/"),
        "application": text(world, f"/contractor/applications/{g.application.pk}/"),
    }


def test_paper_pages_say_what_happens_and_never_mention_the_key_notice(world: World) -> None:
    g = make_guarantee(world, delivery_method=DeliveryMethod.PAPER)
    seen = pages(world, g)
    for name, page in seen.items():
        assert "認証キー等のお知らせ" not in page, name
        assert "お知らせ" not in page, name
    assert PAPER_SAYS in seen["certificate"]
    assert "発注者へはその書面の保証証書を提出してください" in seen["certificate"]
    assert "この保証契約は 書面交付 です。" in seen["certificate"]
    assert "書面交付です。発注者へは保証会社からお渡しする書面の保証証書を提出してください" in seen["print"]
    assert PAPER_SAYS in seen["application"]
    assert f"保証契約を締結しました。保証契約番号 {g.number}" in seen["application"]
    assert "保証証書の内容を表示する（閲覧用）" in seen["application"]
    assert g.application is not None
    assert "電子証書" not in main_text(world, f"/contractor/applications/{g.application.pk}/")


@pytest.mark.parametrize("name", ["certificate", "print", "application"])
def test_electronic_pages_keep_the_key_notice(world: World, name: str) -> None:
    g = make_guarantee(world)
    page = pages(world, g)[name]
    assert "認証キー等のお知らせ" in page
    assert "書面交付" not in page
