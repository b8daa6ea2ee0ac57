"""Build the benchmark data set in PostgreSQL: 1,000,000 guarantees, one contractor with 20,000.

Rows are streamed with COPY (minutes, not hours); parties are created with the
ORM. The data set is kept between runs and rebuilt only when asked or when
its size or shape differs.

The guarantees are concluded over the ten years before the build, and each
orderer adopts electronic delivery on its own date (some not yet), so the
staff dashboard's 24 months and 電子交付率 have the shape of real data. Every
guarantee has its 保証料領収書(計算書); a few have a 返還計算書.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from esurety.core.clock import TOKYO
from esurety.core.kinds import DeliveryMethod, GuaranteeKind, WorkCategory
from esurety.core.normalize import normalize_search_text
from esurety.guarantees import keys
from esurety.guarantees.models import Application, ApplicationStatus
from esurety.parties.models import Branch, Contractor, Orderer, Role, SuretyCompany, User

# BENCH_GUARANTEES: a smaller set for a suite that needs no volume (advances_bulk_request).
TOTAL = int(os.environ.get("BENCH_GUARANTEES", "1000000"))
FOCUS_COUNT = 20_000  # guarantees of the benchmark contractor
CONTRACTORS = 2_000
ORDERERS = 500
YEARS_DAYS = 3800  # contracts run over the last ~10 years before the build
OPEN_APPLICATIONS = 1_500
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
    sample_numbers: list[str]  # electronic guarantees whose beneficiary is orderer_user's orderer
    head_office_user: User  # a surety's 管理者 of every branch
    branch_user: User  # a 担当者 of one branch of the same surety


def _adoption_offsets(rng: random.Random) -> list[int]:
    """Per orderer, the day (from the first contract) it starts taking electronic certificates.

    Spread from year 6 to two years past the build: by the build some orderers
    have not adopted yet, as in real life. The bench orderer (index 0) adopted early,
    so the verification suites find electronic guarantees of it throughout.
    """
    offsets = [rng.randint(6 * 365, YEARS_DAYS + 2 * 365) for _ in range(ORDERERS)]
    offsets[0] = 6 * 365
    return offsets


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
    first_day = timezone.localdate() - dt.timedelta(days=YEARS_DAYS + 10)
    adoption = _adoption_offsets(random.Random(20261207))
    kinds = [GuaranteeKind.ADVANCE] * 6 + [GuaranteeKind.PERFORMANCE] * 3 + [GuaranteeKind.INTERIM_ADVANCE]
    for i in range(TOTAL):
        branch = branches[i % len(branches)]
        contractor = (
            focus_id if i % (TOTAL // FOCUS_COUNT) == 0 else contractor_ids[1 + (i * 7919) % (len(contractor_ids) - 1)]
        )
        orderer_index = (i * 104729) % len(orderer_ids)
        orderer = orderer_ids[orderer_index]
        kind = kinds[i % len(kinds)]
        category = WorkCategory.CONSULTING if i % 9 == 0 else WorkCategory.WORKS
        price = rng.randrange(5_000_000, 900_000_000, 1000)
        amount = (price * 4 // 10) // 100_000 * 100_000 if kind != GuaranteeKind.PERFORMANCE else price // 10
        offset = (i * 13) % YEARS_DAYS
        contract = first_day + dt.timedelta(days=offset)
        completion = contract + dt.timedelta(days=90 + i % 600)
        electronic = offset >= adoption[orderer_index] and rng.random() < 0.93
        concluded = dt.datetime.combine(contract + dt.timedelta(days=7), dt.time(9 + i % 8, i % 60), tzinfo=TOKYO)
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
            DeliveryMethod.ELECTRONIC if electronic else DeliveryMethod.PAPER,
            number,
            branch.surety_id,
            branch.pk,
            contractor,
            orderer,
            None,
            None,
            completion,
            "ACTIVE",
            concluded,
            1,
            contract + dt.timedelta(days=7),
            False,
            None,
            normalize_search_text(name),
        )


def _is_current() -> bool:
    """The data set of this file: its size, its premium statements and its staff users."""
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM guarantees_guarantee")
        existing = cur.fetchone()[0]
        cur.execute("SELECT EXISTS (SELECT 1 FROM guarantees_premiumstatement)")
        has_premiums = cur.fetchone()[0]
    return existing == TOTAL and has_premiums and User.objects.filter(username="bench-head-office").exists()


def _open_applications(branches: list[Branch], contractor_ids: list[int], orderer_ids: list[int], by: User) -> None:
    """The work in hand: applications waiting in each state, entered over the last three weeks."""
    rng = random.Random(20261208)
    states = [
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.UNDER_REVIEW,
        ApplicationStatus.APPROVED,
        ApplicationStatus.PAYMENT_CONFIRMED,
    ]
    now = timezone.now()
    rows = []
    for i in range(OPEN_APPLICATIONS):
        branch = branches[i % len(branches)]
        submitted = now - dt.timedelta(minutes=rng.randint(10, 21 * 24 * 60))
        contract = timezone.localdate() - dt.timedelta(days=rng.randint(5, 30))
        rows.append(
            Application(
                surety_id=branch.surety_id,
                branch=branch,
                contractor_id=contractor_ids[rng.randrange(len(contractor_ids))],
                orderer_id=orderer_ids[rng.randrange(len(orderer_ids))],
                kind=GuaranteeKind.ADVANCE,
                work_category=WorkCategory.WORKS,
                work_name=f"{rng.choice(PLACES)}地区{rng.choice(FACILITIES)}{rng.choice(WORKS)}",
                contract_date=contract,
                completion_date=contract + dt.timedelta(days=300),
                contract_price=100_000_000,
                guaranteed_amount=40_000_000,
                status=states[i % len(states)],
                created_by=by,
                submitted_at=submitted,
            )
        )
    Application.objects.bulk_create(rows, batch_size=500)


def build(*, rebuild: bool = False) -> None:
    if _is_current() and not rebuild:
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
    contractor_user = User.objects.create_user(
        "bench-contractor", password=PASSWORD, contractor=focus, role=Role.ORG_ADMIN
    )
    User.objects.create_user("bench-orderer", password=PASSWORD, orderer=orderer, role=Role.MEMBER)
    surety = branches[0].surety
    User.objects.create_user("bench-head-office", password=PASSWORD, surety=surety, role=Role.SURETY_ADMIN)
    User.objects.create_user("bench-branch", password=PASSWORD, surety=surety, branch=branches[0], role=Role.CLERK)
    _open_applications(branches, contractor_ids, orderer_ids, contractor_user)
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
    pcols = (
        "number, statement_type, guarantee_id, issued_on, amount, counterparty_name, breakdown, is_sample_rate,"
        " created_at"
    )
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
        with raw.copy(f"COPY guarantees_premiumstatement ({pcols}) FROM STDIN") as pcopy:
            for row in rows:
                number, issued_on, amount = str(row[14]), row[25], int(row[10])
                premium = max(3_000, amount * 13 // 10_000)  # a sample rate, like the demo's
                pcopy.write_row((f"R{number}-1", "RECEIPT", row[0], issued_on, premium, "ベンチ建設", "{}", True, now))
                if int(row[0]) % 37 == 0:  # a decrease of the guaranteed amount some months later
                    refund_on = issued_on + dt.timedelta(days=60 + int(row[0]) % 200)
                    if refund_on < timezone.localdate():
                        pcopy.write_row(
                            (f"H{number}-1", "REFUND", row[0], refund_on, premium // 4, "ベンチ建設", "{}", True, now)
                        )
        with raw.copy(f"COPY guarantees_accesskey ({kcols}) FROM STDIN") as kcopy:
            for row in rows:
                if row[13] != DeliveryMethod.ELECTRONIC:
                    continue  # paper certificates have no access key
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
        cur.execute("VACUUM ANALYZE guarantees_premiumstatement")
        cur.execute("ANALYZE")


def load() -> Dataset:
    focus_user = User.objects.get(username="bench-contractor")
    orderer_user = User.objects.get(username="bench-orderer")
    numbers = list(
        orderer_user.orderer.guarantees.filter(delivery_method=DeliveryMethod.ELECTRONIC)  # type: ignore[union-attr]
        .order_by("number")
        .values_list("number", flat=True)[:500]
    )
    return Dataset(
        focus_contractor_id=focus_user.contractor_id or 0,
        focus_user=focus_user,
        orderer_user=orderer_user,
        sample_numbers=numbers,
        head_office_user=User.objects.get(username="bench-head-office"),
        branch_user=User.objects.get(username="bench-branch"),
    )
