"""The orderer portal's tabs (発注者メニュー): which pages mark which tab current."""

from __future__ import annotations

from esurety.parties.permissions import is_org_admin
from esurety.web.tabs import Tab, tab

TABS: tuple[Tab, ...] = (
    tab("ホーム", "verify:home"),
    tab("電子証書の確認", "verify:verify"),
    tab("受領済み一覧", "verify:received", "certificate"),
    tab("履行請求", "verify:claim_list", "claim_detail", "claim_new", "completion"),
    tab("組織情報", "verify:organisation"),
    tab("Webhook設定", "verify:webhooks", shown_to=is_org_admin),
)
