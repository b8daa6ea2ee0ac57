"""The demo's organisations, as plain data (the seed's parties plus invented ones).

Only 西日本建設業保証株式会社 / 大塚支店, 株式会社〇〇建設 and 徳島市上下水道事業管理者
come from the leaflet. Every other company, municipality, person, address and bank
here is invented for the demonstration; premium rates are samples, not real tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from esurety.core.kinds import GuaranteeKind, WorkCategory

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - printed for everyone: the demo database only

ADVANCE = GuaranteeKind.ADVANCE
INTERIM = GuaranteeKind.INTERIM_ADVANCE
PERFORMANCE = GuaranteeKind.PERFORMANCE
RESERVATION = GuaranteeKind.PERFORMANCE_RESERVATION
WORKS = WorkCategory.WORKS
CONSULTING = WorkCategory.CONSULTING
ELECTRONIC_KINDS = (ADVANCE, INTERIM, PERFORMANCE)


@dataclass(frozen=True)
class SeriesSpec:
    """One number range; `start` is where the demo's history begins inside it."""

    kind: str  # "" is the branch's default series (前払・中間前払・契約保証予約)
    first: int
    last: int
    start: int


@dataclass(frozen=True)
class BranchSpec:
    name: str
    postal_code: str
    address: str
    tel: str
    fax: str
    series: tuple[SeriesSpec, ...]


@dataclass(frozen=True)
class StaffSpec:
    username: str
    role: str
    display_name: str  # the person, not the company: the header shows the company's name before it


@dataclass(frozen=True)
class SuretySpec:
    key: str
    name: str
    postal_code: str
    address: str
    representative_title: str
    representative_name: str
    website: str
    branches: tuple[BranchSpec, ...]
    # annual rate and minimum premium per kind — SAMPLE values (real tables are unpublished)
    rates: tuple[tuple[str, Decimal, int], ...]
    clerk: StaffSpec
    approver: StaffSpec
    admin: StaffSpec | None
    weight: int  # share of the demo's guarantees


def _series(prefix: int, default_start: int, performance_start: int) -> tuple[SeriesSpec, ...]:
    """A branch numbers 前払 etc. in prefix0000001… and 契約保証 in prefix0200001…"""
    base = prefix * 10_000_000
    return (
        SeriesSpec("", base + 1, base + 199_999, base + default_start),
        SeriesSpec(PERFORMANCE, base + 200_001, base + 299_999, base + performance_start),
    )


def _rates(advance: str, performance: str) -> tuple[tuple[str, Decimal, int], ...]:
    return (
        (ADVANCE, Decimal(advance), 3_000),
        (INTERIM, Decimal(advance), 3_000),
        (PERFORMANCE, Decimal(performance), 5_000),
        (RESERVATION, Decimal(performance), 5_000),
    )


SURETIES: tuple[SuretySpec, ...] = (
    SuretySpec(
        key="west",
        name="西日本建設業保証株式会社",
        postal_code="550-0012",
        address="大阪市西区立売堀二丁目1番2号",
        representative_title="取締役社長",
        representative_name="御出 一",
        website="https://www.wjcs.net/",
        branches=(
            # The seed's 取次場所, printed on its certificate exactly like this.
            BranchSpec(
                "大塚支店",
                "",
                "大塚市西區立売堀二丁目1番2号",
                "06-6543-2711",
                "0120-504160",
                _series(207, 4_201, 202_001),
            ),
            BranchSpec(
                "徳島支店",
                "770-0000",
                "徳島市南新町三丁目2番1号",
                "088-600-0001",
                "088-600-0002",
                _series(208, 1_501, 200_701),
            ),
        ),
        rates=_rates("0.001300", "0.000900"),
        clerk=StaffSpec("demo-clerk", "CLERK", "審査担当 佐藤 花子"),
        approver=StaffSpec("demo-approver", "APPROVER", "承認者 鈴木 次郎"),
        admin=StaffSpec("demo-staff", "SURETY_ADMIN", "管理者 高橋 一郎"),
        weight=5,
    ),
    SuretySpec(
        key="east",
        name="東日本建設業保証株式会社",
        postal_code="104-0000",
        address="東京都中央区八丁堀九丁目9番9号",
        representative_title="取締役社長",
        representative_name="東山 一郎",
        website="",
        branches=(
            BranchSpec(
                "東京支店",
                "104-0000",
                "東京都中央区八丁堀九丁目9番9号",
                "03-0000-1111",
                "03-0000-1112",
                _series(101, 12_001, 203_001),
            ),
            BranchSpec(
                "千葉支店",
                "260-0000",
                "千葉市中央区本町九丁目1番1号",
                "043-000-2221",
                "043-000-2222",
                _series(112, 2_401, 200_301),
            ),
        ),
        rates=_rates("0.001250", "0.000850"),
        clerk=StaffSpec("demo-east-clerk", "CLERK", "審査担当 田中 美咲"),
        approver=StaffSpec("demo-east-approver", "APPROVER", "承認者 伊藤 健"),
        admin=None,
        weight=3,
    ),
    SuretySpec(
        key="north",
        name="北海道建設業信用保証株式会社",
        postal_code="060-0000",
        address="札幌市中央区北九条西九丁目9番地",
        representative_title="取締役社長",
        representative_name="北野 二郎",
        website="",
        branches=(
            BranchSpec(
                "札幌支店",
                "060-0000",
                "札幌市中央区北九条西九丁目9番地",
                "011-000-3331",
                "011-000-3332",
                _series(301, 8_001, 201_201),
            ),
            BranchSpec(
                "旭川支店",
                "070-0000",
                "旭川市九条通九丁目9番地",
                "0166-00-4441",
                "0166-00-4442",
                _series(302, 901, 200_101),
            ),
        ),
        rates=_rates("0.001350", "0.000950"),
        clerk=StaffSpec("demo-north-clerk", "CLERK", "審査担当 渡辺 さくら"),
        approver=StaffSpec("demo-north-approver", "APPROVER", "承認者 山本 大輔"),
        admin=None,
        weight=2,
    ),
)


@dataclass(frozen=True)
class AdoptionSpec:
    effective_from: dt.date
    categories: tuple[str, ...]
    kinds: tuple[str, ...]
    effective_until: dt.date | None = None


@dataclass(frozen=True)
class OrdererSpec:
    name: str
    organisation_name: str
    postal_code: str
    address: str
    mail_domain: str
    adoptions: tuple[AdoptionSpec, ...]
    username: str
    weight: int
    subject_template: str = ""


BOTH = (WORKS, CONSULTING)
D = dt.date

ORDERERS: tuple[OrdererSpec, ...] = (
    # The seed: contracts from 令和8年4月1日, 工事 and 建設コンサルタント業務, 前払・中間前払・契約.
    OrdererSpec(
        "徳島市上下水道事業管理者",
        "徳島市上下水道局",
        "",
        "",
        "tokushima-water.example",
        (AdoptionSpec(D(2026, 4, 1), BOTH, ELECTRONIC_KINDS),),
        "demo-orderer",
        weight=4,
        subject_template="【電子保証】{kind}「認証キー」等の提出（保証契約番号 {number}／{work_name}／{contractor}）",
    ),
    OrdererSpec(
        "大塚市長",
        "大塚市",
        "772-0000",
        "大塚市中央町一丁目1番1号",
        "city-otsuka.example",
        (AdoptionSpec(D(2024, 10, 1), BOTH, ELECTRONIC_KINDS),),
        "demo-orderer-02",
        weight=2,
    ),
    OrdererSpec(
        "鳴門浜市長",
        "鳴門浜市",
        "772-0001",
        "鳴門浜市撫養町一丁目2番3号",
        "city-narutohama.example",
        (AdoptionSpec(D(2025, 4, 1), (WORKS,), ELECTRONIC_KINDS),),  # 工事 only
        "demo-orderer-03",
        weight=2,
    ),
    OrdererSpec(
        "阿波川町長",
        "阿波川町",
        "771-0001",
        "阿波川町大字中島100番地",
        "town-awakawa.example",
        (AdoptionSpec(D(2026, 1, 1), BOTH, (ADVANCE,)),),  # 前払 only
        "demo-orderer-04",
        weight=1,
    ),
    OrdererSpec(
        "西讃県知事",
        "西讃県",
        "760-0001",
        "西讃県高浜市番町四丁目1番10号",
        "pref-seisan.example",
        (
            # A pilot for 工事 advances that ended, then the full scheme without 中間前払.
            AdoptionSpec(D(2024, 4, 1), (WORKS,), (ADVANCE,), effective_until=D(2025, 3, 31)),
            AdoptionSpec(D(2025, 7, 1), BOTH, (ADVANCE, PERFORMANCE)),
        ),
        "demo-orderer-05",
        weight=2,
    ),
    OrdererSpec(
        "東讃市水道事業管理者",
        "東讃市水道局",
        "769-0001",
        "東讃市中央一丁目5番地",
        "water-tosan.example",
        (AdoptionSpec(D(2026, 10, 1), BOTH, ELECTRONIC_KINDS),),  # only just started
        "demo-orderer-06",
        weight=1,
    ),
    OrdererSpec(
        "北見原市長",
        "北見原市",
        "090-0001",
        "北見原市大通西三丁目1番地",
        "city-kitamihara.example",
        (
            # 工事 first, 建設コンサルタント業務 two years later.
            AdoptionSpec(D(2024, 4, 1), (WORKS,), ELECTRONIC_KINDS),
            AdoptionSpec(D(2026, 4, 1), (CONSULTING,), ELECTRONIC_KINDS),
        ),
        "demo-orderer-07",
        weight=2,
    ),
    OrdererSpec(
        "南海道路公社理事長",
        "南海道路公社",
        "770-0002",
        "徳島市沖浜東二丁目8番地",
        "road-nankai.example",
        (AdoptionSpec(D(2025, 1, 1), BOTH, (PERFORMANCE,)),),  # 契約保証 only
        "demo-orderer-08",
        weight=1,
    ),
    OrdererSpec(
        "港浜市長",
        "港浜市",
        "236-0001",
        "港浜市海岸通一丁目1番地",
        "city-minatohama.example",
        (AdoptionSpec(D(2026, 4, 1), (CONSULTING,), (ADVANCE, PERFORMANCE)),),  # コンサル only
        "demo-orderer-09",
        weight=1,
    ),
    OrdererSpec(
        "山城村長",
        "山城村",
        "779-0001",
        "山城村大字西宇300番地",
        "village-yamashiro.example",
        (),  # not adopted: paper only
        "demo-orderer-10",
        weight=1,
    ),
)

TOKUSHIMA_WATER = ORDERERS[0].name


@dataclass(frozen=True)
class ContractorSpec:
    name: str
    postal_code: str
    address: str
    representative_name: str
    category: str  # what the company mostly does
    home_surety: str  # SuretySpec.key it deals with most
    username: str
    user_display_name: str


CONTRACTORS: tuple[ContractorSpec, ...] = (
    # The seed's contractor (its representative is not in the leaflet).
    ContractorSpec(
        "株式会社〇〇建設",
        "",
        "▲▲市▲▲区▲▲1丁目1番1号",
        "〇〇 太郎",
        WORKS,
        "west",
        "demo-contractor",
        "工務部 山田 太郎",
    ),
    ContractorSpec(
        "株式会社△△工務店",
        "770-0011",
        "徳島市北佐古一番町5番12号",
        "△△ 次郎",
        WORKS,
        "west",
        "demo-contractor-02",
        "小林 誠",
    ),
    ContractorSpec(
        "大塚土木株式会社",
        "772-0012",
        "大塚市中央町三丁目4番5号",
        "大塚 三郎",
        WORKS,
        "west",
        "demo-contractor-03",
        "加藤 陽子",
    ),
    ContractorSpec(
        "阿波技建株式会社",
        "771-0013",
        "阿波川町大字中島250番地",
        "阿部 四郎",
        WORKS,
        "west",
        "demo-contractor-04",
        "吉田 浩",
    ),
    ContractorSpec(
        "株式会社吉野川設備工業",
        "770-0014",
        "徳島市川内町平石若松78番地",
        "吉野 五郎",
        WORKS,
        "east",
        "demo-contractor-05",
        "山口 恵",
    ),
    ContractorSpec(
        "鳴門建設工業株式会社",
        "772-0015",
        "鳴門浜市撫養町南浜21番地",
        "鳴海 六郎",
        WORKS,
        "west",
        "demo-contractor-06",
        "松本 剛",
    ),
    ContractorSpec(
        "株式会社讃岐舗道",
        "760-0016",
        "西讃県高浜市扇町二丁目3番4号",
        "讃井 七郎",
        WORKS,
        "east",
        "demo-contractor-07",
        "井上 由美",
    ),
    ContractorSpec(
        "北斗建設株式会社",
        "090-0017",
        "北見原市北斗町一丁目7番地",
        "北斗 八郎",
        WORKS,
        "north",
        "demo-contractor-08",
        "木村 拓也",
    ),
    ContractorSpec(
        "株式会社ひかり設計コンサルタント",
        "760-0018",
        "西讃県高浜市錦町一丁目9番9号",
        "光井 九郎",
        CONSULTING,
        "east",
        "demo-contractor-09",
        "林 真理",
    ),
    ContractorSpec(
        "四国測量設計株式会社",
        "770-0019",
        "徳島市沖浜町大木1丁目3番地",
        "四宮 十郎",
        CONSULTING,
        "north",
        "demo-contractor-10",
        "清水 亮",
    ),
)

SEED_CONTRACTOR = CONTRACTORS[0].name

SEED_DEPOSIT_BANK = "〇〇銀行 ▲▲支店"


@dataclass(frozen=True)
class DepositBankSpec:
    """The deposit bank the seed's certificate names, with the branch that keeps its account."""

    name: str
    code: str
    branches: tuple[tuple[str, str], ...]  # (支店名, 支店コード); the first keeps the seed's account
    contract_from: dt.date  # 預託契約 with 西日本建設業保証株式会社
    username: str
    user_display_name: str


SEED_BANK = DepositBankSpec(
    name="〇〇銀行",
    code="0123",
    branches=(("▲▲支店", "456"), ("本店営業部", "001")),
    contract_from=dt.date(2020, 4, 1),
    username="demo-bank",
    user_display_name="▲▲支店 前払金窓口",
)
DEPOSIT_BANKS = (
    "阿波中央銀行 本店営業部",
    "阿波中央銀行 大塚支店",
    "讃岐信用金庫 中央支店",
    "瀬戸内みなと銀行 県庁前支店",
    "北見原信用金庫 本店",
    "道央しらかば銀行 札幌支店",
)

# Places and works that read like real 工事名 / 業務名 (all invented combinations).
AREAS = (
    "川内",
    "応神",
    "国府",
    "八万",
    "加茂名",
    "勝占",
    "多家良",
    "不動",
    "渋野",
    "入田",
    "北佐古",
    "南佐古",
    "沖浜",
    "新浜",
    "津田",
    "方上",
    "大原",
    "中島",
)
WORKS_NAMES = (
    "{area}地区管渠布設工事",
    "{area}地区配水管更新工事",
    "{area}浄水場耐震補強工事",
    "{area}ポンプ場電気設備更新工事",
    "市道{area}線道路改良工事",
    "{area}川護岸改修工事",
    "{area}橋橋梁補修工事",
    "{area}小学校校舎改築工事",
    "{area}地区下水道枝線布設工事",
    "{area}配水池更新工事",
    "{area}トンネル補修工事",
    "{area}地区舗装修繕工事",
)
CONSULTING_NAMES = (
    "{area}橋橋梁補修設計業務",
    "{area}地区測量業務",
    "{area}浄水場耐震診断業務",
    "{area}地区下水道管路調査業務",
    "{area}配水管更新基本設計業務",
    "{area}地区地質調査業務",
)

REJECTION_REASONS = (
    "契約書の写しに記載の請負金額と申込内容が一致しないため否決しました。内容をご確認のうえ、再度お申込みください。",
    "工事名が発注者の契約書と異なるため否決しました。契約書どおりの工事名で再度お申込みください。",
    "発注者の前払金支払の予定が確認できないため否決しました。発注者にご確認ください。",
    "同一工事について既にお申込みがあるため、重複分を否決しました。",
)
AMOUNT_INCREASE_REASONS: tuple[str, ...] = (
    "設計変更による請負金額の増額（変更契約）",
    "数量増加による請負金額の増額（変更契約）",
)
AMOUNT_DECREASE_REASONS: tuple[str, ...] = ("設計変更による請負金額の減額（変更契約）",)
PERIOD_REASONS = ("関係機関との協議に伴う工期の延長（変更契約）", "天候不順による工期の延長（変更契約）")
