"""Demo establishments and craft villages in Hà Tĩnh, Nghệ An, Thanh Hóa and Ninh Bình.

A few thousand establishments with Vietnamese names, owners, products, workers and revenue; some
still recorded against a pre-1/7/2025 commune (Nam Định, Hà Nam, now in Ninh Bình); recognised
craft villages with their UBND decisions; and a handful of likely duplicates waiting for review.
Rows are written with ``bulk_create`` (the change log still records them), so this stays fast.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from stdnum.vn import mst

from khuyencong.kernel.text import fold, normalize, sort_key
from khuyencong.registry.models import CraftVillage, Establishment, Gender, IndustryLine, LegalForm
from khuyencong.registry.services import queue_duplicates
from khuyencong.territory.models import Commune, Province

SEED = 2026
DEFAULT_ESTABLISHMENTS = 3000
KEY_PREFIX = "demo-"
# Share of establishments per province (current codes after 1/7/2025).
PROVINCES = {"42": 0.3, "40": 0.3, "38": 0.25, "37": 0.15}
# Old provinces merged into Ninh Bình: some records still name their old commune.
LEGACY_PROVINCES = ("36", "35")

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE_MALE = ["Văn", "Đức", "Hữu", "Minh", "Quang", "Công"]
MIDDLE_FEMALE = ["Thị", "Thị", "Ngọc", "Thu", "Minh", "Hồng"]
GIVEN_MALE = ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phúc", "Quân", "Sơn", "Tuấn"]
GIVEN_FEMALE = ["Anh", "Dung", "Giang", "Hà", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Oanh", "Thảo", "Yến"]


@dataclass(frozen=True)
class Craft:
    product: str  # as in a name: "mây tre đan"
    products: str  # main products column
    industry: str  # VSIC code
    workers: tuple[int, int]
    women_share: float


CRAFTS = [
    Craft("mây tre đan", "Giỏ, khay, đèn mây tre đan xuất khẩu", "1629", (8, 60), 0.7),
    Craft("nón lá", "Nón lá, nón bài thơ", "1629", (5, 30), 0.85),
    Craft("bánh đa", "Bánh đa nem, bánh đa vừng", "1079", (3, 15), 0.6),
    Craft("nước mắm", "Nước mắm truyền thống, mắm tôm", "1020", (4, 25), 0.4),
    Craft("chế biến hải sản", "Mực khô, cá khô, tôm nõn", "1020", (10, 80), 0.55),
    Craft("mộc mỹ nghệ", "Bàn ghế, tủ, tượng gỗ mỹ nghệ", "3100", (6, 45), 0.2),
    Craft("rèn", "Dao, kéo, nông cụ cầm tay", "2593", (3, 20), 0.1),
    Craft("gốm", "Chum, vại, gốm gia dụng", "2393", (5, 40), 0.35),
    Craft("dệt thổ cẩm", "Khăn, túi, vải thổ cẩm", "1312", (6, 35), 0.9),
    Craft("chiếu cói", "Chiếu cói, thảm cói, túi cói", "1629", (8, 70), 0.75),
    Craft("thêu ren", "Tranh thêu, khăn trải bàn thêu ren", "3290", (10, 90), 0.9),
    Craft("đá mỹ nghệ", "Tượng đá, lăng mộ đá", "2393", (6, 50), 0.1),
    Craft("cơ khí nhỏ", "Máy tuốt lúa, máy xay xát nhỏ", "2821", (5, 40), 0.1),
    Craft("may mặc", "Quần áo bảo hộ, đồng phục", "1410", (15, 150), 0.8),
    Craft("chế biến nông sản", "Miến, tinh bột sắn, chè khô", "1030", (5, 40), 0.6),
    Craft("kẹo cu đơ", "Kẹo cu đơ, kẹo lạc", "1079", (3, 20), 0.65),
    Craft("nem chua", "Nem chua, giò chả", "1010", (3, 25), 0.6),
    Craft("đúc đồng", "Chuông, lư hương, tượng đồng", "2511", (5, 30), 0.1),
]

# (province code, village name, craft product, decision number prefix, year recognised)
VILLAGES = [
    ("42", "Làng nghề mây tre đan Thạch Hà", "mây tre đan", 2012),
    ("42", "Làng nghề nón lá Ba Đồng", "nón lá", 2014),
    ("42", "Làng nghề nước mắm Cẩm Nhượng", "nước mắm", 2010),
    ("42", "Làng nghề rèn Trung Lương", "rèn", 2016),
    ("40", "Làng nghề mộc Nghi Phong", "mộc mỹ nghệ", 2011),
    ("40", "Làng nghề nước mắm Vạn Phần", "nước mắm", 2013),
    ("40", "Làng nghề mây tre đan Hưng Yên Nam", "mây tre đan", 2015),
    ("40", "Làng nghề dệt thổ cẩm Quỳ Châu", "dệt thổ cẩm", 2017),
    ("38", "Làng nghề chiếu cói Nga Sơn", "chiếu cói", 2009),
    ("38", "Làng nghề đúc đồng Trà Đông", "đúc đồng", 2012),
    ("38", "Làng nghề đá mỹ nghệ Nhồi", "đá mỹ nghệ", 2014),
    ("38", "Làng nghề nem chua Thọ Xuân", "nem chua", 2018),
    ("37", "Làng nghề thêu ren Văn Lâm", "thêu ren", 2008),
    ("37", "Làng nghề chiếu cói Kim Sơn", "chiếu cói", 2010),
    ("37", "Làng nghề đá mỹ nghệ Ninh Vân", "đá mỹ nghệ", 2011),
    ("37", "Làng nghề mộc La Xuyên", "mộc mỹ nghệ", 2013),
]

NAME_PATTERNS = {
    LegalForm.HOUSEHOLD: ["Cơ sở {product} {owner}", "Hộ kinh doanh {product} {owner}", "Cơ sở {product} {place}"],
    LegalForm.SME: [
        "Công ty TNHH {product} {place}",
        "Công ty cổ phần {product} {place}",
        "Công ty TNHH {owner_short}",
    ],
    LegalForm.COOPERATIVE: ["Hợp tác xã {product} {place}", "HTX {product} {place}"],
    LegalForm.COOPERATIVE_GROUP: ["Tổ hợp tác {product} {place}"],
    LegalForm.ARTISAN: ["Nghệ nhân {owner} – {product}"],
}
LEGAL_FORM_WEIGHTS = [
    (LegalForm.HOUSEHOLD, 55),
    (LegalForm.SME, 25),
    (LegalForm.COOPERATIVE, 12),
    (LegalForm.COOPERATIVE_GROUP, 5),
    (LegalForm.ARTISAN, 3),
]
DUPLICATE_PAIRS = 8


def _person(rng: random.Random) -> tuple[str, str]:
    gender = Gender.FEMALE if rng.random() < 0.45 else Gender.MALE
    if gender == Gender.FEMALE:
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_FEMALE)} {rng.choice(GIVEN_FEMALE)}"
    else:
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_MALE)} {rng.choice(GIVEN_MALE)}"
    return name, gender


def _place(commune: Commune) -> str:
    """ "Xã Thạch Khê" -> "Thạch Khê": the place word people use in names."""
    for prefix in ("Xã ", "Phường ", "Đặc khu ", "Thị trấn "):
        if commune.name.startswith(prefix):
            return commune.name[len(prefix) :]
    return commune.name


def _tax_code(index: int) -> str:
    """A valid, unique 10-digit tax code (check digit computed), deterministic per index."""
    for prefix in range(81, 99):  # a body whose check digit would be 10 has no valid code
        body = f"{prefix}{index:07d}"
        check = str(mst.calc_check_digit(body))
        if len(check) == 1:
            return body + check
    raise ValueError(index)


def _villages(rng: random.Random, communes: dict[str, list[Commune]]) -> dict[str, list[CraftVillage]]:
    by_product: dict[str, list[CraftVillage]] = {}
    for number, (province, name, product, year) in enumerate(VILLAGES, start=1):
        village = CraftVillage.objects.filter(name=name).first()
        if village is None:
            commune = communes[province][(number * 7) % len(communes[province])]
            decided = dt.date(year, 1 + number % 12, 1 + (number * 3) % 27)
            village = CraftVillage.objects.create(
                name=name,
                commune=commune,
                recognised=True,
                decision_number=f"{1000 + number * 37}/QĐ-UBND",
                decision_date=decided,
                crafts=product.capitalize(),
            )
        by_product.setdefault(product, []).append(village)
    return by_product


def _establishment(index, rng, province, communes, legacy, villages, lines) -> tuple[Establishment, str]:
    craft = rng.choice(CRAFTS)
    forms, weights = zip(*LEGAL_FORM_WEIGHTS, strict=True)
    legal_form = rng.choices(forms, weights)[0]
    owner, gender = _person(rng)
    legacy_commune = None
    if province == "37" and legacy and rng.random() < 0.4:
        legacy_commune = rng.choice(legacy)
        commune = legacy_commune.successor
    else:
        commune = rng.choice(communes[province])
    village_pool = [v for v in villages.get(craft.product, []) if v.province_id == commune.province_id]
    village = rng.choice(village_pool) if village_pool and rng.random() < 0.5 else None
    name = rng.choice(NAME_PATTERNS[legal_form]).format(
        product=craft.product, owner=owner, owner_short=owner.split()[-1] + " " + craft.product, place=_place(commune)
    )
    low, high = craft.workers
    workers = rng.randint(low, high) * (3 if legal_form == LegalForm.SME else 1)
    women = min(workers, round(workers * craft.women_share * rng.uniform(0.7, 1.2)))
    minority = rng.randint(0, workers // 4) if province in {"40", "38"} and rng.random() < 0.3 else 0
    revenue = round(workers * rng.uniform(60, 260)) * 1_000_000
    has_tax_code = legal_form != LegalForm.HOUSEHOLD or rng.random() < 0.3
    # A tenth of the records miss something an officer should fill in (workers, revenue, owner).
    incomplete = rng.random() < 0.1
    establishment = Establishment(
        external_id=f"{KEY_PREFIX}{index:05d}",
        legal_form=legal_form,
        name=normalize(name),
        tax_code=_tax_code(index) if has_tax_code else None,
        owner_name="" if incomplete and rng.random() < 0.5 else owner,
        owner_gender=gender,
        address=f"Thôn {rng.randint(1, 15)}",
        commune=commune,
        legacy_commune=legacy_commune,
        province_id=commune.province_id,
        craft_village=village,
        main_products=craft.products,
        workers_total=None if incomplete else workers,
        workers_women=None if incomplete else women,
        workers_ethnic_minority=None if incomplete else minority,
        annual_revenue=None if incomplete else revenue,
        founding_year=rng.randint(1990, 2024),
        phone=f"09{rng.randint(10_000_000, 99_999_999)}",
        status=Establishment.Status.ACTIVE if rng.random() < 0.93 else Establishment.Status.SUSPENDED,
        women_owned=gender == Gender.FEMALE and rng.random() < 0.8,
        ethnic_minority_workers=minority > 0,
        disadvantaged_area=province in {"40", "38"} and rng.random() < 0.25,
    )
    establishment.search_text = fold(
        " ".join([establishment.name, establishment.tax_code or "", owner, craft.products, establishment.address])
        + f" {commune.name} {commune.province.short_name}"
    )
    establishment.name_key = sort_key(establishment.name)
    return establishment, lines.get(craft.industry)


@transaction.atomic
def load_registry(*, establishments: int | None = None) -> dict:
    """Create what is missing of the demo registry; returns counts (total and newly added)."""
    total = DEFAULT_ESTABLISHMENTS if establishments is None else establishments
    if total <= 0:  # accounts only: the browser journeys start from an empty registry
        return {"establishments": 0, "added": 0, "craft_villages": 0, "duplicates_added": 0}
    rng = random.Random(SEED)
    provinces = {p.code: p for p in Province.objects.current().filter(code__in=PROVINCES)}
    communes = {
        code: list(Commune.objects.current().filter(province=province).select_related("province").order_by("code"))
        for code, province in provinces.items()
    }
    legacy = list(
        Commune.objects.legacy()
        .filter(province__code__in=LEGACY_PROVINCES, successor__province__code="37")
        .select_related("successor__province")
        .order_by("code")
    )
    villages = _villages(rng, communes)
    lines = {line.code: line.pk for line in IndustryLine.objects.filter(valid_to__isnull=True)}
    existing = set(
        Establishment.objects.filter(external_id__startswith=KEY_PREFIX).values_list("external_id", flat=True)
    )
    codes, weights = zip(*PROVINCES.items(), strict=True)
    new, industry = [], {}
    for index in range(1, total + 1):
        province = rng.choices(codes, weights)[0]
        establishment, line = _establishment(index, rng, province, communes, legacy, villages, lines)
        if establishment.external_id not in existing:
            new.append(establishment)
            industry[establishment.external_id] = line
    created = Establishment.objects.bulk_create(new, batch_size=500)
    through = Establishment.industry_lines.through
    by_key = dict(Establishment.objects.filter(external_id__in=industry).values_list("external_id", "pk"))
    through.objects.bulk_create(
        [through(establishment_id=by_key[key], industryline_id=line) for key, line in industry.items() if line]
    )
    duplicates = _duplicates(rng, created)
    return {
        "establishments": Establishment.objects.filter(external_id__startswith=KEY_PREFIX).count(),
        "added": len(created),
        "craft_villages": sum(len(v) for v in villages.values()),
        "duplicates_added": duplicates,
    }


# The demo establishment account (organisation/demo.py: coso.maytre acting for CS-DEMO-1) keeps
# this record up to date itself.
OWN_RECORD_KEY = f"{KEY_PREFIX}own-01"
OWN_RECORD_UNIT = "CS-DEMO-1"


@transaction.atomic
def load_own_record() -> Establishment | None:
    """The record of the demo establishment account, linked to its org unit (idempotent)."""
    from khuyencong.organisation.models import OrgUnit

    unit = OrgUnit.objects.filter(code=OWN_RECORD_UNIT).first()
    if unit is None:
        return None
    record = Establishment.objects.filter(external_id=OWN_RECORD_KEY).first()
    if record is None:
        communes = Commune.objects.current().filter(province__code="42").order_by("code")
        commune = communes.filter(folded_name__contains="thach").first() or communes.first()
        if commune is None:
            return None
        record = Establishment(
            external_id=OWN_RECORD_KEY,
            legal_form=LegalForm.HOUSEHOLD,
            name=unit.name,
            owner_name="Ngô Thị Nga",
            owner_gender=Gender.FEMALE,
            address="Thôn Đông Hà",
            commune=commune,
            main_products="Giỏ, khay, đèn mây tre đan xuất khẩu",
            workers_total=24,
            workers_women=18,
            workers_ethnic_minority=0,
            annual_revenue=1_450_000_000,
            founding_year=2008,
            phone="0912345678",
            women_owned=True,
        )
    if record.pk is None or (record.org_unit_id is None and not Establishment.objects.filter(org_unit=unit).exists()):
        record.org_unit = unit
        record.save()
    line = IndustryLine.objects.filter(code="1629", valid_to__isnull=True).first()
    if line is not None and not record.industry_lines.exists():
        record.industry_lines.add(line)
    return record


def _duplicates(rng: random.Random, created: list[Establishment]) -> int:
    """The same place entered twice (a typing variant of its name): the review queue's work."""
    if not created:
        return 0
    added = 0
    households = [e for e in created if e.legal_form == LegalForm.HOUSEHOLD and e.tax_code is None]
    for number, original in enumerate(rng.sample(households, min(DUPLICATE_PAIRS, len(households))), start=1):
        twin = Establishment(
            external_id=f"{KEY_PREFIX}dup-{number:02d}",
            legal_form=original.legal_form,
            name=original.name.upper() if number % 2 else original.name[:1] + original.name[1:].lower(),
            owner_name=original.owner_name,
            owner_gender=original.owner_gender,
            address=original.address,
            commune=original.commune,
            main_products=original.main_products,
            workers_total=original.workers_total,
        )
        twin.save()
        added += queue_duplicates(twin)
    return added
