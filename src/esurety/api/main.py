"""The JSON API, /api/v1/ (OpenAPI at /api/v1/openapi.json, documentation at /api/v1/docs)."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from esurety.api import bank, claims, errors, orderer, surety_applications, surety_guarantees

DESCRIPTION = """\
電子保証のシステム連携API。発注者の電子契約システムは電子証書の確認・受領済み一覧・変更の取得に、
保証事業会社の基幹システムは保証申込から契約締結、変更、解約、認証キー再発行、一括取込に、
預託金融機関のシステムは前払金の払出依頼の取得、払出・差戻しに使います。

認証: `Authorization: Bearer <APIトークン>`。トークンは組織ごとに発行します（発注者は保証確認サービスの
組織情報、保証事業会社は業務システムの「API連携」、預託金融機関は前払金払出サービスの「API連携」）。
発注者用・保証事業会社用・預託金融機関用のトークンは別で、他の種類の操作には 403 を返します。

エラーはすべて `{"code": "...", "message": "...", "fields": {...}}` の形の JSON です。
"""


class JapaneseJSONRenderer(JSONRenderer):
    # UTF-8 as is: integrators read 「保証契約番号…」 in their logs, not \u4fdd\u8a3c….
    json_dumps_params: dict[str, Any] = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=JapaneseJSONRenderer(),
    title="esurety API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
errors.install(api)
api.add_router("", orderer.router)
api.add_router("", surety_applications.router)
api.add_router("", surety_guarantees.router)
api.add_router("", bank.router)
api.add_router("", claims.orderer_router)
api.add_router("", claims.surety_router)
