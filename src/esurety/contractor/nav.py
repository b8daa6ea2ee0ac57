"""The contractor portal's tabs (受注者メニュー): which pages mark which tab current."""

from __future__ import annotations

from esurety.web.tabs import Tab, tab

TABS: tuple[Tab, ...] = (
    tab("保証工事一覧", "contractor:guarantee_list", "certificate", "access_key", "notice_dispatch"),
    tab("保証料書類", "contractor:statement_list"),
    tab("前払金の使途", "contractor:advance_list", prefixes=("advance", "payee")),
    tab(
        "保証申込",
        "contractor:application_list",
        "application_new",
        "application_detail",
        "application_edit",
        "application_submit",
    ),
    tab("履行請求・返還", "contractor:claim_list", "claim_detail"),
)
