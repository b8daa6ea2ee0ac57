"""The back office's 保証契約一覧 at 1280 px: short codes stay on one line (「前払」 and 「第1版」
broke into one character per line beside long company and work names)."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import login
from tests.e2e.test_menus_fit import DESKTOP, in_a_thread
from tests.factories import PASSWORD, World, make_guarantee

# For the named columns of the list: how many lines the first text of each cell takes.
LINES_PER_CELL = """(names) => {
  const table = document.querySelector('table.list');
  const heads = Array.from(table.querySelectorAll('thead th')).map(th => th.textContent.trim());
  const out = {};
  for (const name of names) {
    const i = heads.indexOf(name);
    out[name] = Array.from(table.querySelectorAll('tbody tr')).map(tr => {
      const text = Array.from(tr.children[i].childNodes).find(n => n.nodeType === 3 && n.textContent.trim());
      const r = document.createRange();
      r.selectNodeContents(text);
      return new Set(Array.from(r.getClientRects()).map(b => Math.round(b.top))).size;
    });
  }
  return out;
}"""

LONG_NAME = "株式会社ひかり設計コンサルタント技術開発センター"
LONG_WORK = "令和8年度 中島地区下水道管路調査業務委託（その2）及び関連施設の耐震診断業務"


def test_kind_version_and_branch_stay_on_one_line_at_1280(world: World, live_server: Any, new_page: Any) -> None:
    def build() -> str:
        world.contractor.name = LONG_NAME
        world.contractor.save(update_fields=["name"])
        for _ in range(3):
            make_guarantee(world, work_name=LONG_WORK)
        return world.clerk.username

    username = in_a_thread(build)
    page = new_page()
    page.set_viewport_size(DESKTOP)
    login(page, live_server, username, PASSWORD)
    page.goto(live_server.url + "/office/guarantees/")
    lines = page.evaluate(LINES_PER_CELL, ["区分", "版", "取次場所"])
    assert all(len(cells) == 3 for cells in lines.values()), lines
    assert all(n == 1 for cells in lines.values() for n in cells), lines
    assert not page.js_errors, page.js_errors
