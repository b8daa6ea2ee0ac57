"""Build the benchmark data set in PostgreSQL: 1,000,000 guarantees, one contractor with 20,000.

Rows are streamed with COPY (minutes, not hours); parties are created with the
ORM. The data set is kept between runs and rebuilt only when asked or when
its size differs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from esurety.core.kinds import DeliveryMethod, GuaranteeKind, WorkCategory
from esurety.core.normalize import normalize_search_text
from esurety.guarantees import keys
from esurety.parties.models import Branch, Contractor, Orderer, Role, SuretyCompany, User

TOTAL = 1_000_000
FOCUS_COUNT = 20_000  # guarantees of the benchmark contractor
CONTRACTORS = 2_000
ORDERERS = 500
PASSWORD = "bench-pass-2026"

PLACES = ["北町", "南浜", "西山", "東原", "中央", "川口", "新田", "大塚", "本町", "緑ケ丘", "港", "桜木"]
FACILITIES = ["道路", "橋梁", "トンネル", "配水管", "下水管渠", "浄水場", "ポンプ場", "河川護岸", "公園", "庁舎"]
WORKS = ["改良工事", "補修工事", "更新工事", "耐震補強工事", "新設工事", "修繕工事", "詳細設計業務", "測量業務"]


def key_for(number: str) -> str:
    """Deterministic key per number, so the load scripts know valid pairs."""
    digest = hashlib.sha256(f"bench-key:{number}".encode()).digest()
    return "".join(keys.ALPHABET[b % len(keys.ALPHABET)] for b in digest[: keys.KEY_LENGTH])


@dataclass
class Dataset:
    focus_contractor_id: int
    focus_user: User
    orderer_user: User
    sample_numbers: list[str]  # numbers whose beneficiary is orderer_user's orderer


def _parties() -> tuple[list[Branch], list[int], list[int], Contractor, Orderer]:
    branches: list[Branch] = []
    for s in range(3):
        surety = SuretyCompany.objects.create(
            name=f"ベンチ保証{s}株式会社",
            postal_code="100-0001",
            address="東京都千代田区1-1",
            representative_name="代表 一郎",
        )
        for b in range(10):
            branches.append(
                Branch.objects.create(surety=surety, name=f"第{b}支店", address="東京都", tel="03-0000-0000")
            )
    contractors = Contractor.objects.bulk_create(
        [
            Contractor(name=f"ベンチ建設{i}株式会社", address="東京都", representative_name="代表")
            for i in range(CONTRACTORS)
        ]
    )
    orderers = Orderer.objects.bulk_create([Orderer(name=f"ベンチ市{i}上下水道事業管理者") for i in range(ORDERERS)])
    return branches, [c.pk for c in contractors], [o.pk for o in orderers], contractors[0], orderers[0]


def _guarantee_rows(
    branches: list[Branch], contractor_ids: list[int], orderer_ids: list[int], focus_id: int, first_id: int
) -> Iterator[tuple[object, ...]]:
    rng = random.Random(20261126)
    now = timezone.now()
    kinds = [GuaranteeKind.ADVANCE] * 6 + [GuaranteeKind.PERFORMANCE] * 3 + [GuaranteeKind.INTERIM_ADVANCE]
    for i in range(TOTAL):
        branch = branches[i % len(branches)]
        contractor = (
            focus_id if i % (TOTAL // FOCUS_COUNT) == 0 else contractor_ids[1 + (i * 7919) % (len(contractor_ids) - 1)]
        )
        orderer = orderer_ids[(i * 104729) % len(orderer_ids)]
        kind = kinds[i % len(kinds)]
        category = WorkCategory.CONSULTING if i % 9 == 0 else WorkCategory.WORKS
        price = rng.randrange(5_000_000, 900_000_000, 1000)
        amount = (price * 4 // 10) // 100_000 * 100_000 if kind != GuaranteeKind.PERFORMANCE else price // 10
        contract = dt.date(2016, 4, 1) + dt.timedelta(days=(i * 13) % 3800)
        completion = contract + dt.timedelta(days=90 + i % 600)
        name = f"{PLACES[i % len(PLACES)]}{rng.choice(PLACES)}地区{rng.choice(FACILITIES)}{rng.choice(WORKS)}"
        number = f"{4_000_000_000 + i:010d}"
        yield (
            first_id + i,
            now,
            now,
            kind,
            category,
            name,
            contract,
            completion,
            price,
            None,
            amount,
            False,
            "ベンチ銀行 本店" if kind != GuaranteeKind.PERFORMANCE else "",
            DeliveryMethod.ELECTRONIC,
            number,
            branch.surety_id,
            branch.pk,
            contractor,
            orderer,
            None,
            None,
            completion,
            "ACTIVE",
            now,
            1,
            contract + dt.timedelta(days=7),
            False,
            None,
            normalize_search_text(name),
        )


def build(*, rebuild: bool = False) -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM guarantees_guarantee")
        existing = cur.fetchone()[0]
    if existing == TOTAL and not rebuild:
        return
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE guarantees_accesskey, guarantees_certificate, guarantees_amendment, guarantees_premiumstatement,"
            " guarantees_guarantee, guarantees_application, guarantees_numberseries, guarantees_premiumrate,"
            " parties_electronicadoption, parties_ordererdepartment, parties_user, parties_branch,"
            " parties_suretycompany, parties_contractor, parties_orderer, audit_auditentry, audit_auditchainhead"
            " RESTART IDENTITY CASCADE"
        )
    branches, contractor_ids, orderer_ids, focus, orderer = _parties()
    User.objects.create_user("bench-contractor", password=PASSWORD, contractor=focus, role=Role.ORG_ADMIN)
    User.objects.create_user("bench-orderer", password=PASSWORD, orderer=orderer, role=Role.MEMBER)
    gcols = (
        "id, created_at, updated_at, kind, work_category, work_name, contract_date, completion_date, contract_price,"
        " contract_price_consideration, guaranteed_amount, low_bid, deposit_bank, delivery_method, number, surety_id,"
        " branch_id, contractor_id, orderer_id, application_id, advance_guarantee_id, period_end, status,"
        " concluded_at, current_version, latest_issued_on, is_amended, cancelled_at, work_name_search"
    )
    ccols = (
        "guarantee_id, version, is_amendment, issued_on, issued_at, kind, work_name, contract_price,"
        " contract_price_consideration, guaranteed_amount, period_end, completion_date, deposit_bank,"
        " contractor_name, contractor_address, orderer_name, surety_name, surety_postal_code, surety_address,"
        " surety_representative, branch_name, branch_address, branch_tel, branch_fax, issued_by_id"
    )
    kcols = "guarantee_id, digest, ciphertext, created_at, revoked_at, created_by_id"
    branch_by_id = {b.pk: b for b in branches}
    now = timezone.now()
    with connection.cursor() as cur:
        raw = cur.cursor  # psycopg 3 cursor, for COPY
        rows = list(_guarantee_rows(branches, contractor_ids, orderer_ids, focus.pk, 1))
        with raw.copy(f"COPY guarantees_guarantee ({gcols}) FROM STDIN") as gcopy:
            for row in rows:
                gcopy.write_row(row)
        with raw.copy(f"COPY guarantees_certificate ({ccols}) FROM STDIN") as ccopy:
            for row in rows:
                b = branch_by_id[row[16]]
                ccopy.write_row(
                    (
                        row[0],
                        1,
                        False,
                        row[25],
                        now,
                        row[3],
                        row[5],
                        row[8],
                        None,
                        row[10],
                        row[21],
                        row[7],
                        row[12],
                        "ベンチ建設株式会社",
                        "東京都",
                        "ベンチ市上下水道事業管理者",
                        "ベンチ保証株式会社",
                        "100-0001",
                        "東京都千代田区1-1",
                        "取締役社長 代表 一郎",
                        b.name,
                        b.address,
                        b.tel,
                        "",
                        None,
                    )
                )
        with raw.copy(f"COPY guarantees_accesskey ({kcols}) FROM STDIN") as kcopy:
            for row in rows:
                number = str(row[14])
                key = key_for(number)
                kcopy.write_row((row[0], keys.key_digest(key), keys.encrypt_key(key, number=number), now, None, None))
        cur.execute("SELECT setval(pg_get_serial_sequence('guarantees_guarantee', 'id'), %s)", [TOTAL])
    # A bulk load leaves the visibility map empty; autovacuum would set it in
    # production. Index-only scans (the list's count and far pages) need it.
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE guarantees_guarantee")
        cur.execute("VACUUM ANALYZE guarantees_certificate")
        cur.execute("VACUUM ANALYZE guarantees_accesskey")
        cur.execute("ANALYZE")


def load() -> Dataset:
    focus_user = User.objects.get(username="bench-contractor")
    orderer_user = User.objects.get(username="bench-orderer")
    numbers = list(
        orderer_user.orderer.guarantees.order_by("number").values_list("number", flat=True)[:500]  # type: ignore[union-attr]
    )
    return Dataset(
        focus_contractor_id=focus_user.contractor_id or 0,
        focus_user=focus_user,
        orderer_user=orderer_user,
        sample_numbers=numbers,
    )
