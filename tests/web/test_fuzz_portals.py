"""Every page and form of the portals, fed generated values: never a server error.

The routes come from the URLconf (contractor, orderer, back office, accounts, the
public check page); the form fields from every form class of the project, and the
query parameters from those forms and from what the views read with
request.GET.get. Each example signs the portal's user in, sends one GET with odd
query values and one POST with a valid-looking body in which a few fields are
replaced by odd values (text of any script, huge, control characters, 「²」,
0001-01-01, a 5,000-digit number …), and fails on any 5xx or exception. The
API has its own (tests/api/test_schemathesis.py).
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import pkgutil
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st

import esurety
from esurety.accounts.services import UsageApplicationInput, usage_application_submit
from esurety.advances import services as advances
from esurety.core.clock import business_date
from esurety.core.kinds import GuaranteeKind
from esurety.guarantees import services
from esurety.guarantees.imports import import_batch_process, import_batch_upload
from esurety.guarantees.models import AmendmentType, PremiumStatement
from esurety.integrations.services import api_token_create
from esurety.notifications.models import OutboxMessage
from esurety.parties.models import Role, User
from esurety.webhooks.models import WebhookDelivery, events_for_owner
from esurety.webhooks.services import webhook_endpoint_create
from tests.claims.helpers import file_claim
from tests.factories import (
    PAYEE,
    World,
    accept_statement,
    application_input,
    deposit_advance,
    make_advance_world,
    make_guarantee,
    make_user,
    request,
    submit_application,
    submit_statement,
)
from tests.office.lifecycle import NOW, receive
from tests.office.operations import csv_bytes, line

# Namespaces of the portals; the API (schemathesis) and Django's admin are not here.
PORTAL_NAMESPACES = ("contractor", "verify", "office", "bank", "accounts", "check", None)
SRC = Path(esurety.__file__).parent

# Values no person types but anyone can send.
ODD_TEXT = [
    "",
    " ",
    "0",
    "-1",
    "²",
    "１２３",
    "᧚",
    "٣",
    "1e309",
    "NaN",
    "0001-01-01",
    "1800-01-01",
    "9999-12-31",
    "2026-02-30",
    "令和99年13月1日",
    "99999999999999999999",
    "9" * 5000,
    "\x00",
    "a\x00b",
    "\u202eevil",
    "\u200b",
    "\ufeff",
    "\r\n",
    "x\ny",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "../../etc/passwd",
    "𠮷野家",
    "\U0001f600",
    "ｱｲｳｴｵ",
    '=HYPERLINK("http://x")',
    "あ" * 3000,
    "x" * 100_000,
]
ODD = st.sampled_from(ODD_TEXT)
# The odd values three times: generated text is mostly harmless, they are the point.
VALUES = st.one_of(
    ODD,
    ODD,
    ODD,
    st.text(max_size=30),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.dates().map(dt.date.isoformat),
    st.dates().map(lambda d: d.strftime("%Y/%m/%d")),
)


# -- what there is to send ------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    namespace: str | None
    name: str
    pattern: str  # as in the URLconf: "guarantees/<str:number>/"

    @property
    def id(self) -> str:
        return f"{self.namespace}:{self.name}"


def _walk(patterns: list[Any], prefix: str, namespace: str | None) -> Iterator[Route]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
        elif isinstance(p, URLPattern):
            yield Route(namespace, p.name or "", prefix + str(p.pattern))


def portal_routes() -> list[Route]:
    routes = [
        r
        for r in _walk(get_resolver().url_patterns, "/", None)
        if r.namespace in PORTAL_NAMESPACES and not r.pattern.startswith(("/admin/", "/api/"))
    ]
    return sorted(routes, key=lambda r: r.id)


def _form_classes() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages([str(SRC)], prefix="esurety."):
        if not module.name.startswith(("esurety.demo", "esurety.config")) and ".migrations" not in module.name:
            importlib.import_module(module.name)
    found: list[type[forms.BaseForm]] = []
    pending: list[type[forms.BaseForm]] = [forms.BaseForm]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("esurety.") and hasattr(sub, "base_fields"):
                found.append(sub)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _names_read(source: str, where: str) -> set[str]:
    """Parameters a view reads without a form: request.GET.get("page"), "submit" in request.POST."""
    found = set(re.findall(rf'request\.{where}(?:\.get|\.getlist)?[(\[]"([\w-]+)"', source))
    found.update(re.findall(rf'"([\w-]+)" (?:not )?in request\.{where}\b', source))
    return found


def _names_read_by_views(where: str) -> set[str]:
    return {name for path in SRC.rglob("*.py") for name in _names_read(path.read_text(encoding="utf-8"), where)}


FORM_CLASSES = _form_classes()
FIELD_NAMES = sorted({name for form in FORM_CLASSES for name in form.base_fields})
FILE_FIELDS = sorted(
    {name for form in FORM_CLASSES for name, field in form.base_fields.items() if isinstance(field, forms.FileField)}
)
# Fields made at run time: the orderer form's adoption grid and its department formset (prefix "dept").
DYNAMIC_FIELDS = [
    f"adopt__{category}__{kind}"
    for category in ("WORKS", "CONSULTING")
    for kind in (GuaranteeKind.ADVANCE, GuaranteeKind.INTERIM_ADVANCE, GuaranteeKind.PERFORMANCE)
] + [
    "dept-TOTAL_FORMS",
    "dept-INITIAL_FORMS",
    "dept-MIN_NUM_FORMS",
    "dept-MAX_NUM_FORMS",
    "dept-0-name",
    "dept-0-email",
    "dept-0-kinds",
    "dept-0-DELETE",
]
GET_NAMES = sorted(set(FIELD_NAMES) | _names_read_by_views("GET"))
POST_NAMES = sorted(set(FIELD_NAMES) | set(DYNAMIC_FIELDS) | _names_read_by_views("POST"))
ROUTES = portal_routes()


def test_the_fuzzed_names_cover_every_form_and_parameter() -> None:
    """The lists above are built from the code: they must not silently come out empty."""
    assert len(ROUTES) > 60
    names = {f"{c.__module__}.{c.__name__}" for c in FORM_CLASSES}
    for expected in (
        "esurety.contractor.forms_applications.ApplicationForm",
        "esurety.office.forms.OrdererForm",
        "esurety.office.views.audit.AuditSearchForm",
        "esurety.verify.forms.VerifyForm",
        "esurety.accounts.forms.SignupForm",
    ):
        assert expected in names
    assert {"version", "branch", "page", "status", "date_from", "date_to", "q"} <= set(GET_NAMES)
    assert {"received_on", "contract_date", "work_name", "file", "document", "submit"} <= set(POST_NAMES)


# -- the world the pages show ------------------------------------------------------------------------


@dataclass
class Scene:
    world: World
    users: dict[str | None, list[User | None]]
    numbers: list[str]
    pks: list[int]
    # The guarantee whose 前払金 pages (contractor:advance*) are fuzzed: account, statements, proofs.
    advance_number: str
    # The object each route's <int:pk> names, by route name: the explicit examples open real pages.
    pk_of: dict[str, int]
    valid: dict[str, str]


def _scene(world: World) -> Scene:
    staff = make_user("fuzz-admin", surety=world.surety, role=Role.SURETY_ADMIN)
    orderer_admin = make_user("fuzz-orderer-admin", orderer=world.orderer, role=Role.ORG_ADMIN)
    hooks = {
        owner: webhook_endpoint_create(
            owner=owner, by=admin, url=f"https://{name}.example.com/hook", events=list(events_for_owner(owner)), now=NOW
        ).endpoint
        for owner, admin, name in ((world.surety, staff, "surety"), (world.orderer, orderer_admin, "orderer"))
    }
    g = make_guarantee(world)  # an 'issued' delivery to the surety's endpoint
    # An advance account with an accepted statement, a request, and a 使途変更 waiting for the surety.
    aw = make_advance_world(world)
    accepted = accept_statement(aw, submit_statement(aw))
    deposit_advance(aw)
    withdrawal = request(aw)
    change = advances.use_statement_change(account=aw.account, by=world.contractor_user, reason="変更", now=NOW)
    advances.use_statement_submit(statement=change, by=world.contractor_user, now=NOW)
    proof = accepted.proofs.order_by("pk").first()
    assert proof is not None
    amendment = services.amendment_request_create(
        guarantee=g,
        by=world.approver,
        amendment_type=AmendmentType.PERIOD,
        completion_date=dt.date(2027, 6, 30),
        effective_on=dt.date(2026, 4, 18),
        reason="工期延長",
        now=NOW,
    )
    draft = services.application_create(
        by=world.contractor_user, data=application_input(world, work_name="下書きの工事"), now=NOW
    )
    submitted = submit_application(world, work_name="△△トンネル工事")
    receive(world, g)  # a 'viewed' delivery to the orderer's endpoint
    # A claim (issue 14) on a guarantee of its own, with its document.
    claimed = make_guarantee(world, work_name="履行請求の工事")
    receive(world, claimed)
    claim = file_claim(world, claimed)
    claim_document = claim.documents.get()
    member = make_user("fuzz-member", contractor=world.contractor, role=Role.MEMBER)
    batch = import_batch_upload(by=staff, file_name="a.csv", content=csv_bytes([line(world, 保証金額="x")]), now=NOW)
    import_batch_process(batch_id=batch.pk, now=NOW)
    token = api_token_create(by=staff, surety=world.surety, name="fuzz", role=Role.CLERK, now=NOW)
    orderer_token = api_token_create(by=orderer_admin, orderer=world.orderer, name="fuzz", now=NOW)
    usage = usage_application_submit(
        data=UsageApplicationInput(
            surety_id=world.surety.pk,
            company_name="株式会社□□組",
            postal_code="770-0001",
            address="徳島市□□町1番地",
            tel="088-123-4567",
            representative_title="代表取締役",
            representative_name="四角 一郎",
            applicant_name="担当 花子",
            applicant_email="hanako@shikaku.example",
        ),
        now=NOW,
    )
    # The bank's webhook and token, and a request after them (a delivery to resend).
    bank_hook = webhook_endpoint_create(
        owner=aw.bank,
        by=aw.bank_admin,
        url="https://bank.example.com/hook",
        events=list(events_for_owner(aw.bank)),
        now=NOW,
    ).endpoint
    bank_token = api_token_create(by=aw.bank_admin, deposit_bank=aw.bank, name="fuzz", now=NOW)
    request(aw)
    bank_delivery = WebhookDelivery.objects.filter(endpoint=bank_hook).order_by("pk").first()
    assert bank_delivery is not None
    outbox = OutboxMessage.objects.order_by("pk").first()
    assert outbox is not None
    # 前払金 (contractor side): the account above and a payee in the book.
    payee = advances.payee_save(by=world.contractor_user, data=PAYEE, now=NOW)
    statements = list(PremiumStatement.objects.values_list("number", flat=True))
    pk_of = {
        "contractor:application_detail": draft.pk,
        "contractor:application_edit": draft.pk,
        "contractor:application_submit": draft.pk,
        "office:application_detail": submitted.pk,
        "office:application_start_review": submitted.pk,
        "office:application_approve": submitted.pk,
        "office:application_reject": submitted.pk,
        "office:application_confirm_payment": submitted.pk,
        "office:application_conclude": submitted.pk,
        "office:amendment_approve": amendment.pk,
        "office:amendment_reject": amendment.pk,
        "office:orderer_detail": world.orderer.pk,
        "office:orderer_edit": world.orderer.pk,
        "office:orderer_invite": world.orderer.pk,
        "office:orderer_api_tokens": world.orderer.pk,
        "office:usage_approve": usage.pk,
        "office:usage_reject": usage.pk,
        "office:import_detail": batch.pk,
        "office:import_errors": batch.pk,
        "office:outbox_resend": outbox.pk,
        "office:totp_reset": world.clerk.pk,
        "office:api_token_revoke": token.token.pk,
        "verify:api_token_revoke": orderer_token.token.pk,
        "accounts:member_remove": member.pk,
        "bank:withdrawal": withdrawal.pk,
        "bank:withdrawal_pay": withdrawal.pk,
        "bank:withdrawal_return": withdrawal.pk,
        "bank:user_remove": aw.bank_user.pk,
        "bank:api_token_revoke": bank_token.token.pk,
        "bank:webhook_deactivate": bank_hook.pk,
        "bank:webhook_resend": bank_delivery.pk,
        "office:bank_detail": aw.bank.pk,
        "office:bank_branch_add": aw.bank.pk,
        "office:bank_contract_add": aw.bank.pk,
        "office:bank_invite": aw.bank.pk,
        "office:advance_statement": change.pk,
        "office:advance_statement_review": change.pk,
        "office:advance_statement_accept": change.pk,
        "office:advance_statement_return": change.pk,
        "office:advance_statement_pdf": accepted.pk,
        "office:advance_proof": proof.pk,
        "office:advance_withdrawal_pdf": withdrawal.pk,
        "contractor:advance_statement": 1,  # a version number
        "contractor:advance_statement_pdf": 1,  # a version number
        "contractor:advance_withdrawal_pdf": withdrawal.pk,
        "contractor:advance_proof": proof.pk,
        "contractor:advance_proof_remove": proof.pk,
        "contractor:payee_edit": payee.pk,
        "contractor:payee_remove": payee.pk,
        "office:claim_document": claim_document.pk,
        "verify:claim_document": claim_document.pk,
    }
    for namespace, owner in (("office", world.surety), ("verify", world.orderer)):
        endpoint = hooks[owner]
        delivery = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("pk").first()
        assert delivery is not None
        pk_of[f"{namespace}:webhook_deactivate"] = endpoint.pk
        pk_of[f"{namespace}:webhook_resend"] = delivery.pk
    key = services.access_key_plain(guarantee=g) or ""
    today = business_date(NOW).isoformat()
    valid = {
        # 保証申込
        "branch": str(world.branch.pk),
        "orderer": str(world.orderer.pk),
        "kind": GuaranteeKind.ADVANCE,
        "work_category": "WORKS",
        "work_name": "〇〇道路改良工事",
        "contract_date": "2026-04-10",
        "completion_date": "2027-03-31",
        "contract_price": "100,000,000",
        "guaranteed_amount": "40,000,000",
        "deposit_bank": "〇〇銀行 ▲▲支店",
        "delivery_method": "ELECTRONIC",
        "notes": "よろしくお願いします。",
        # back office
        "received_on": today,
        "effective_on": today,
        "effective_from": today,
        "reason": "確認のため",
        "amendment_type": AmendmentType.PERIOD,
        "annual_rate": "0.0012",
        "minimum_premium": "3000",
        "name": "徳島市上下水道事業管理者",
        "adoption_from": "2026-04-01",
        "display_name": "担当 花子",
        "email": "fuzz@example.com",
        "dept-TOTAL_FORMS": "1",
        "dept-INITIAL_FORMS": "0",
        "dept-MIN_NUM_FORMS": "0",
        "dept-MAX_NUM_FORMS": "1000",
        # the orderer's verification
        "number": g.number,
        "key": key,
        "url": "https://example.com/hook",
        "events": "issued",
        # accounts
        "surety": str(world.surety.pk),
        "company_name": "株式会社□□組",
        "postal_code": "770-0001",
        "address": "徳島市□□町1番地",
        "tel": "088-123-4567",
        "representative_title": "代表取締役",
        "representative_name": "四角 一郎",
        "applicant_name": "担当 花子",
        "applicant_email": "hanako@shikaku.example",
        "username": "alice",
        "password": "wrong-password",
        "role": Role.CLERK,
        # the bank portal and the office's deposit banks
        "paid_on": today,
        "booked_on": today,
        "amount": "1,000",
        "code": "0999",
        "contract_from": today,
    }
    users: dict[str | None, list[User | None]] = {
        "contractor": [world.contractor_user],
        "verify": [orderer_admin],
        "office": [staff],
        "bank": [aw.bank_admin, aw.bank_user],
        "accounts": [world.contractor_user, None],
        "check": [None],
        None: [world.contractor_user, None],
    }
    pks = sorted(set(pk_of.values()))
    return Scene(
        world, users, [g.number, aw.guarantee.number, claim.number, *statements], pks, aw.guarantee.number, pk_of, valid
    )


def test_every_route_with_an_id_opens_a_real_object_in_its_explicit_examples(world: World) -> None:
    """New routes with <int:pk> need an entry in Scene.pk_of, or their fuzzing stays on 404s."""
    scene = _scene(world)
    with_pk = {r.id for r in ROUTES if "<int:" in r.pattern}
    assert with_pk <= set(scene.pk_of), with_pk - set(scene.pk_of)


# -- one request ------------------------------------------------------------------------------------

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
_FORM_USE = re.compile(r"\b([A-Z]\w*Form(?:Set)?)\b")


@dataclass(frozen=True)
class Target:
    """What one route's view reads: the fields of the forms its module uses, and its own parameters."""

    get_names: list[str]
    post_names: list[str]


def target_of(route: Route) -> Target:
    """The names worth fuzzing on this route, from its view's module (a module holds a few views)."""
    match = get_resolver().resolve(_CONVERTER.sub("1", route.pattern))
    func = match.func
    module = importlib.import_module(getattr(func, "view_class", func).__module__)
    source = Path(module.__file__ or "").read_text(encoding="utf-8")
    used = set(_FORM_USE.findall(source))
    fields = {name for form in FORM_CLASSES if form.__name__ in used for name in form.base_fields}
    if "DepartmentFormSet" in used:
        fields |= set(DYNAMIC_FIELDS)
    view_class = getattr(func, "view_class", None)
    if view_class is not None and getattr(view_class, "form_class", None) is not None:
        fields |= set(view_class.form_class.base_fields)
    get_names = {"page"} | _names_read(source, "GET") | fields
    if "requested_version" in source:
        get_names.add("version")
    if "requested_branch" in source:
        get_names.add("branch")
    post_names = _names_read(source, "POST") | fields
    return Target(sorted(get_names), sorted(post_names or set(POST_NAMES)))


def real_path(route: Route, scene: Scene) -> str:
    """The route with the objects of the scene: the page as its users open it."""

    def fill(match: re.Match[str]) -> str:
        if match.group(1) == "int":
            return str(scene.pk_of.get(route.id, scene.pks[0]))
        if match.group(2) == "number":
            if route.name.startswith("advance"):
                return scene.advance_number
            return scene.numbers[-1] if "statement" in route.name else scene.numbers[0]
        return "x"

    return _CONVERTER.sub(fill, route.pattern)


@st.composite
def _path(draw: st.DrawFn, route: Route, scene: Scene) -> str:
    def fill(match: re.Match[str]) -> str:
        if match.group(1) == "int":
            return str(draw(st.one_of(st.sampled_from(scene.pks), st.integers(min_value=0, max_value=10**25))))
        return quote(draw(st.one_of(st.sampled_from(scene.numbers), VALUES)), safe="") or "x"

    return draw(st.one_of(st.just(real_path(route, scene)), st.just(_CONVERTER.sub(fill, route.pattern))))


def _upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("fuzz.csv", content, content_type="text/csv")


UPLOADS = st.one_of(
    st.binary(max_size=200),
    st.sampled_from([b"", b"%PDF-1.7\n%%EOF", b"\xef\xbb\xbf" + b"a,b\r" * 50, "工事名\n".encode("cp932")]),
)


def _send(client: Client, method: str, path: str, data: dict[str, Any]) -> HttpResponseBase:
    # A POST follows its redirect: a record saved with a bad value fails where it is shown.
    response = client.get(path, data) if method == "GET" else client.post(path, data, follow=True)
    if getattr(response, "streaming", False):
        # A CSV export fails while streaming, after its 200: read it to the end.
        b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return response


def _methods(route: Route, scene: Scene, client: Client) -> list[str]:
    """GET and/or POST: a method the view refuses with 405 is not worth fuzzing."""
    user = scene.users[route.namespace][0]
    if user is not None:
        client.force_login(user)
    path = real_path(route, scene)
    return [m for m in ("GET", "POST") if _send(client, m, path, {}).status_code != 405]


# Tried first on every route, in every parameter and field at once: the values issue 11 found.
EXPLICIT = ["²", "9" * 5000, "0001-01-01", "9999-12-31", "a\x00\u202e\u200bb\nc", "x" * 100_000]


def check_route(route: Route, scene: Scene, examples: int) -> None:
    # One client for all examples: a new one loads the middleware again (WhiteNoise scans
    # every static file), which cost more than the requests themselves.
    client = Client()
    target = target_of(route)
    methods = _methods(route, scene, client)
    user0 = scene.users[route.namespace][0]

    def run(
        user: User | None,
        path: str,
        value: str,
        get_names: set[str],
        post_names: set[str],
        files: dict[str, bytes],
    ) -> None:
        client.logout()
        if user is not None:
            client.force_login(user)
        note(f"{route.id} as {user.username if user else 'anonymous'}")
        if "GET" in methods:
            query = dict.fromkeys(get_names, value)
            response = _send(client, "GET", path, query)
            assert response.status_code < 500, ("GET", path, query)
        if "POST" in methods:
            changes = dict.fromkeys(post_names, value)
            body: dict[str, Any] = {**scene.valid, **changes, **{k: _upload(v) for k, v in files.items()}}
            response = _send(client, "POST", path, body)
            assert response.status_code < 500, ("POST", path, changes)

    test = given(
        user=st.sampled_from(scene.users[route.namespace]),
        path=_path(route, scene),
        # One value per example, put in a random subset of the parameters: an odd value in
        # many fields at once, or in a single one while the others stay valid.
        value=VALUES,
        get_names=st.sets(st.sampled_from(target.get_names)),
        post_names=st.sets(st.sampled_from(target.post_names), max_size=3),
        files=st.dictionaries(st.sampled_from(FILE_FIELDS), UPLOADS, max_size=1),
    )(run)
    for value in EXPLICIT:
        test = example(
            user=user0,
            path=real_path(route, scene),
            value=value,
            get_names=set(target.get_names),
            post_names=set(target.post_names),
            files={},
        )(test)
    settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))(test)()


# More with FUZZ_EXAMPLES=50 for a deeper run; the default keeps the file well under two minutes.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
PDF_EXAMPLES = max(1, EXAMPLES // 4)  # a PDF is rendered and signed per request


@pytest.mark.parametrize("namespace", PORTAL_NAMESPACES, ids=[str(n) for n in PORTAL_NAMESPACES])
def test_no_server_error(namespace: str | None, world: World) -> None:
    scene = _scene(world)
    failures: list[str] = []
    for route in (r for r in ROUTES if r.namespace == namespace):
        try:
            check_route(route, scene, PDF_EXAMPLES if route.pattern.endswith(".pdf") else EXAMPLES)
        except Exception as exc:  # noqa: BLE001 - every route is tried; all failures are reported together
            failures.append(f"{route.id}: {type(exc).__name__}: {exc}")
    assert not failures, "\n\n".join(failures)
