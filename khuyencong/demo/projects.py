"""Demo projects (đề án), written through ``projects.actions`` by the demo accounts.

Every project is created with ``save_project`` / ``save_beneficiaries`` and walked along its path
with ``take_step(on=…)`` and real-looking decisions; the steps reserved for the finance flows go
through them (``_through_the_flow``: an acceptance record per beneficiary line, the settlement
dossier, the check of a local one, the approval), except for a project without a beneficiary line
(a group project of a province outside the demo registry), whose step is recorded as the flows take
it (``enforce=False``). The transition records are then dated on the day each step happened.
Deterministic (fixed seed) and idempotent (a project whose code exists is left alone).

The shape other demo modules build on (codes are stable):

- 2019–2026 national (``KCQG-<year>-<province>-<nn>``) and local (``KCĐP-<year>-<province>-<nn>``)
  projects in Hà Tĩnh (42), Nghệ An (40), Thanh Hóa (38) and Ninh Bình (37), implemented by the
  provincial centres (TTKC-42 has projects in every state: the ``hatinh.thuchien`` account) and
  the regional centres TTKC1 (Ninh Bình), TTKC2 (Centre) and TTKC3 (the South, 2022 plan);
  ordinary, group and flagship; beneficiaries are eligible establishments of the demo registry.
- Every state: ``draft``, ``submitted``, ``returned``, ``province_passed``, ``at_agency``,
  ``agency_passed``, ``rejected`` (2026 proposals: what appraisal councils work on),
  ``approved``, ``contracted``, ``in_progress``, ``accepted``, ``settlement_submitted``, ``settled``,
  ``closed``, ``stopped`` (2024), ``cancelled`` (2020): contracts pick ``contracted`` and later.
- 2019: ``KCQG-2019-42-01`` supports machinery with 250 M đ, allowed by TT 28/2018 (≤ 300 M đ, in
  force when it was submitted on 20/5/2018) and above the 200 M đ of TTLT 26/2014.
- 2020, the directive (Công văn 2990/BCT-CTĐP): national projects approved on 15/1/2020 and still
  without a contract after 15/5/2020 (``approved``, no ``contracted_on``), three of them flagged for
  the epidemic ("Dịch COVID-19"); one adjusted (``KCQG-2020-40-02``), one cancelled (``KCQG-2020-38-02``).
- 2022: the national plan's 122 projects in 47 provinces (before 1/7/2025), one per unit of the
  supplement lines 7.x, coded ``KCQG-2022-<old province>-<nnn>``; mostly approved, contracted or
  in progress. Regional centre 1's four contracted or later ones are larger (two demonstration
  models on line 2.1, two training courses on line 1.1: 1.64 bn đ together) so that they carry
  its 1.4 bn đ of 2022 disbursement (``REGIONAL_CENTRE_1_2022``, ``khuyencong.demo.finance``).
- Adjustments (``adjustments`` app): KCQG-2020-40-02's timeline and KCQG-2020-38-02's cancellation
  approved by the Agency (10/6/2020), KCQG-2024-38-01 stopped; open ones waiting for the Department
  (``hatinh.chuyenvien``: KCQG-2025-42-01, storm Bualoi), the Agency (``cuc.lanhdao``:
  KCQG-2025-40-01, budget) and the province (``hatinh.lanhdao``: KCĐP-2025-42-01, place).

Loading takes about 15 s of CPU on SQLite (each step runs the real checks: norms, eligibility).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from khuyencong.accounts.models import User
from khuyencong.kernel.context import acting_as
from khuyencong.organisation.models import OrgUnit
from khuyencong.planning.models import AnnualPlan, PlanLine, PlanVersion
from khuyencong.projects import actions
from khuyencong.projects.models import Project, ProjectState, ProjectTransition
from khuyencong.registry.eligibility import eligibility
from khuyencong.registry.models import Establishment
from khuyencong.rulebook.models import ActivityContent, Level, ProjectKind
from khuyencong.territory.models import Commune, Province

SEED = 2026
M = 1_000_000
S = ProjectState
NATIONAL, LOCAL = Level.NATIONAL, Level.LOCAL
ORDINARY, GROUP, FLAGSHIP = ProjectKind.ORDINARY, ProjectKind.GROUP, ProjectKind.FLAGSHIP

NATIONAL_PATH = ["submit", "province_pass", "send_to_agency", "agency_pass", "approve", "contract", "start",
                 "accept", "submit_settlement", "settle", "close"]  # fmt: skip
LOCAL_PATH = ["submit", "province_pass", "approve_local", "contract_local", "start", "accept", "submit_settlement",
              "settle_local", "close_local"]  # fmt: skip
TARGET = {step.action: step.target for step in actions.STEPS}
DECISIONS = {"approve": "QĐ-BCT", "approve_local": "QĐ-UBND", "settle": "BB-TLHĐ", "settle_local": "BB-TLHĐ",
             "stop": "QĐ-BCT", "cancel": "QĐ-BCT", "stop_local": "QĐ-UBND", "cancel_local": "QĐ-UBND"}  # fmt: skip
COMMENTS = {
    "province_pass": "Hội đồng thẩm định cơ sở: đạt yêu cầu.",
    "agency_pass": "Hội đồng thẩm định của Cục: đạt, đề nghị phê duyệt.",
    "province_return": "Bổ sung bản sao hợp đồng mua bán máy móc và báo giá của ba nhà cung cấp.",
    "province_reject": "Cơ sở đã được hỗ trợ cùng nội dung năm trước; không đạt.",
    "agency_reject": "Nội dung trùng với đề án đã phê duyệt tại địa phương; không đạt.",
    "accept": "Nghiệm thu cơ sở: đạt các chỉ tiêu của đề án.",
    "stop": "Cơ sở thụ hưởng ngừng sản xuất do thiếu vốn đối ứng.",
    "stop_local": "Cơ sở thụ hưởng ngừng sản xuất do thiếu vốn đối ứng.",
    "cancel": "Hủy đề án do ảnh hưởng của dịch COVID-19, cơ sở không bố trí được vốn đối ứng.",
    "cancel_local": "Hủy đề án theo đề nghị của đơn vị thực hiện.",
}
IMPLEMENTER_STEPS = {"submit", "start", "accept", "submit_settlement"}
PROVINCE_STEPS = {"province_pass", "province_return", "province_reject", "send_to_agency", "contract_local",
                  "settle_local", "close_local"}  # fmt: skip

# (content code, norm, name pattern, cost range in M đ, support share)
KINDS_OF_WORK = {
    "machinery": ("2012-03", "machinery", "Hỗ trợ ứng dụng máy móc thiết bị tiên tiến trong sản xuất {product}",
                  (350, 620), 0.45),
    "model": ("2012-03", "demonstration_model", "Xây dựng mô hình trình diễn kỹ thuật sản xuất {product}",
              (1200, 2600), 0.28),
    "training": ("2012-01", "", "Đào tạo nghề {product} cho lao động nông thôn", (250, 480), 0.8),
    "brand": ("2012-04", "", "Hỗ trợ xây dựng, đăng ký nhãn hiệu sản phẩm {product}", (120, 260), 0.7),
}  # fmt: skip
PRODUCTS = ["mây tre đan", "nón lá", "nước mắm", "chế biến hải sản khô", "mộc mỹ nghệ", "chiếu cói", "gốm",
            "dệt thổ cẩm", "bánh đa", "chè xanh", "thêu ren", "đá mỹ nghệ", "cơ khí nông cụ", "miến dong",
            "tinh bột sắn", "cà phê bột", "rượu cần", "mật ong", "tương bần", "gạch không nung"]  # fmt: skip
PROVINCE_NAMES = {"42": "Hà Tĩnh", "40": "Nghệ An", "38": "Thanh Hóa", "37": "Ninh Bình"}


@dataclass
class Spec:
    code: str
    year: int
    level: str
    province: str  # current province code
    state: str  # where the project stands (also "stopped", "cancelled", "returned", "rejected")
    work: str = "machinery"
    kind: str = ORDINARY
    unit: str = ""  # implementing unit (default: the province's centre)
    lines: int = 1
    legacy: Province | None = None
    plan_line: PlanLine | None = None
    support: int | None = None  # a project without beneficiaries (elsewhere than the demo registry)
    name: str = ""
    epidemic: bool = False
    dates: dict[str, dt.date] = field(default_factory=dict)


def _specs() -> list[Spec]:
    n, lc = NATIONAL, LOCAL
    return [
        # 2019: closed; the first one is checked against the 2019 norms (TT 28/2018)
        Spec("KCQG-2019-42-01", 2019, n, "42", S.CLOSED, name="Hỗ trợ ứng dụng máy dệt chiếu cói tự động tại Thạch Hà"),
        Spec("KCQG-2019-40-01", 2019, n, "40", S.CLOSED, "model", unit="TTKC2"),
        Spec("KCQG-2019-37-01", 2019, n, "37", S.CLOSED, "training", GROUP, unit="TTKC1", lines=2),
        Spec("KCQG-2019-38-01", 2019, n, "38", S.CLOSED, "model", FLAGSHIP),
        # 2020: the directive — approved, unsigned after 15/5/2020; epidemic flags; adjusted; cancelled
        Spec("KCQG-2020-42-01", 2020, n, "42", S.APPROVED, epidemic=True),
        Spec("KCQG-2020-42-02", 2020, n, "42", S.APPROVED, "training", GROUP, unit="TTKC2", lines=0),
        Spec("KCQG-2020-40-01", 2020, n, "40", S.APPROVED, "model", epidemic=True),
        Spec("KCQG-2020-40-02", 2020, n, "40", S.APPROVED, name="Hỗ trợ máy móc thiết bị chế biến nước mắm Vạn Phần"),
        Spec("KCQG-2020-38-01", 2020, n, "38", S.APPROVED),
        Spec("KCQG-2020-38-02", 2020, n, "38", S.APPROVED, "brand", epidemic=True),  # cancelled by adjustment
        Spec("KCQG-2020-37-01", 2020, n, "37", S.APPROVED, "model", unit="TTKC1", epidemic=True),
        Spec("KCQG-2020-42-03", 2020, n, "42", S.CLOSED, dates={"contract": dt.date(2020, 4, 20)}),
        Spec("KCQG-2020-37-02", 2020, n, "37", S.CLOSED, "brand", dates={"contract": dt.date(2020, 5, 5)}),
        Spec("KCĐP-2020-42-01", 2020, lc, "42", S.CLOSED, name="Máy móc thiết bị cơ sở mộc mỹ nghệ Thái Yên"),
        Spec("KCĐP-2020-42-02", 2020, lc, "42", S.CLOSED, "model",
             name="Mô hình trình diễn kỹ thuật chế biến hải sản khô"),
        Spec("KCĐP-2020-40-01", 2020, lc, "40", S.CLOSED),
        Spec("KCĐP-2020-38-01", 2020, lc, "38", S.SETTLED, "training"),
        # 2021
        Spec("KCQG-2021-42-01", 2021, n, "42", S.CLOSED),
        Spec("KCQG-2021-40-01", 2021, n, "40", S.CLOSED, "brand"),
        Spec("KCQG-2021-38-01", 2021, n, "38", S.SETTLED, "model", unit="TTKC2"),
        Spec("KCQG-2021-37-01", 2021, n, "37", S.CLOSED, "training", unit="TTKC1"),
        # 2023, 2024
        Spec("KCQG-2023-42-01", 2023, n, "42", S.CLOSED, "model", FLAGSHIP),
        Spec("KCQG-2023-40-01", 2023, n, "40", S.SETTLED),
        Spec("KCQG-2023-38-01", 2023, n, "38", S.SETTLEMENT_SUBMITTED, "training"),
        Spec("KCQG-2023-37-01", 2023, n, "37", S.CLOSED, unit="TTKC1"),
        Spec("KCQG-2024-42-01", 2024, n, "42", S.SETTLED, lines=2),
        Spec("KCQG-2024-40-01", 2024, n, "40", S.ACCEPTED, "brand"),
        Spec("KCQG-2024-38-01", 2024, n, "38", S.IN_PROGRESS),  # stopped by adjustment
        Spec("KCQG-2024-37-01", 2024, n, "37", S.SETTLEMENT_SUBMITTED, "model", unit="TTKC1"),
        # 2025: under way
        Spec("KCQG-2025-42-01", 2025, n, "42", S.IN_PROGRESS,
             name="Hỗ trợ ứng dụng máy móc thiết bị chế biến nước mắm Cẩm Nhượng"),
        Spec("KCQG-2025-42-02", 2025, n, "42", S.IN_PROGRESS, "training", GROUP, lines=0),
        Spec("KCQG-2025-42-03", 2025, n, "42", S.CONTRACTED, "model"),
        Spec("KCQG-2025-40-01", 2025, n, "40", S.CONTRACTED, lines=2),
        Spec("KCQG-2025-38-01", 2025, n, "38", S.ACCEPTED, "brand"),
        Spec("KCQG-2025-37-01", 2025, n, "37", S.IN_PROGRESS, "model", FLAGSHIP, unit="TTKC1"),
        Spec("KCQG-2025-40-02", 2025, n, "40", S.APPROVED, "training", unit="TTKC2"),
        Spec("KCĐP-2025-42-01", 2025, lc, "42", S.IN_PROGRESS),
        Spec("KCĐP-2025-42-02", 2025, lc, "42", S.CONTRACTED, "brand"),
        Spec("KCĐP-2025-40-01", 2025, lc, "40", S.APPROVED, "training"),
        Spec("KCĐP-2025-38-01", 2025, lc, "38", S.ACCEPTED),
        Spec("KCĐP-2025-37-01", 2025, lc, "37", S.IN_PROGRESS, "model"),
        # 2026: proposals at every stage of appraisal
        Spec("KCQG-2026-42-01", 2026, n, "42", S.DRAFT),
        Spec("KCQG-2026-42-02", 2026, n, "42", S.SUBMITTED, "model"),
        Spec("KCQG-2026-42-03", 2026, n, "42", S.RETURNED),
        Spec("KCQG-2026-42-04", 2026, n, "42", S.AT_AGENCY, "brand"),
        Spec("KCQG-2026-40-01", 2026, n, "40", S.PROVINCE_PASSED, "model", FLAGSHIP),
        Spec("KCQG-2026-40-02", 2026, n, "40", S.AT_AGENCY, lines=2),
        Spec("KCQG-2026-38-01", 2026, n, "38", S.AGENCY_PASSED, "training", unit="TTKC2"),
        Spec("KCQG-2026-38-02", 2026, n, "38", S.SUBMITTED),
        Spec("KCQG-2026-37-01", 2026, n, "37", S.REJECTED, "model", unit="TTKC1"),
        Spec("KCĐP-2026-42-01", 2026, lc, "42", S.SUBMITTED, "brand"),
        Spec("KCĐP-2026-42-02", 2026, lc, "42", S.PROVINCE_PASSED),
        Spec("KCĐP-2026-40-01", 2026, lc, "40", S.DRAFT, "training"),
        Spec("KCĐP-2026-38-01", 2026, lc, "38", S.REJECTED),
        Spec("KCĐP-2026-37-01", 2026, lc, "37", S.SUBMITTED, "model"),
    ]  # fmt: skip


def _path(spec: Spec) -> list[str]:
    """The steps from draft to the spec's state."""
    national = spec.level == NATIONAL
    full = NATIONAL_PATH if national else LOCAL_PATH
    suffix = "" if national else "_local"
    if spec.state == S.DRAFT:
        return []
    if spec.state == S.RETURNED:
        return ["submit", "province_return"]
    if spec.state == S.REJECTED:
        return full[: full.index("agency_pass")] + ["agency_reject"] if national else ["submit", "province_reject"]
    if spec.state == S.STOPPED:
        return full[: full.index("start") + 1] + ["stop" + suffix]
    if spec.state == S.CANCELLED:
        return full[: full.index("approve" if national else "approve_local") + 1] + ["cancel" + suffix]
    for index, action in enumerate(full):
        if TARGET[action] == spec.state:
            return full[: index + 1]
    raise ValueError(spec.state)


def _schedule(spec: Spec, rng: random.Random) -> dict[str, dt.date]:
    """The day each step happens: proposals the year before, work in the year, settlement in January."""
    y = spec.year
    d = rng.randint(1, 12)
    if spec.year == 2022 and spec.legacy is not None:  # the late supplement (decision of 30/8/2022)
        days = {"submit": (2022, 3, 5 + d), "province_pass": (2022, 4, 10 + d), "send_to_agency": (2022, 5, 5 + d),
                "agency_pass": (2022, 7, 5 + d), "approve": (2022, 9, 12), "contract": (2022, 10, 3 + d),
                "start": (2022, 10, 15 + d), "accept": (2022, 12, 5 + d), "submit_settlement": (2022, 12, 18 + d),
                "settle": (2023, 1, 10 + d), "close": (2023, 3, 1 + d)}  # fmt: skip
    elif spec.level == NATIONAL:
        days = {"submit": (y - 1, 5, 5 + d), "province_pass": (y - 1, 6, 5 + d), "send_to_agency": (y - 1, 6, 18 + d),
                "agency_pass": (y - 1, 9, 10 + d), "agency_reject": (y - 1, 9, 10 + d), "approve": (y, 1, 15),
                "contract": (y, 3, 2 + d), "start": (y, 3, 16 + d), "accept": (y, 10, 5 + d),
                "submit_settlement": (y, 10, 18 + d), "settle": (y + 1, 1, 8 + d), "close": (y + 1, 2, 10 + d),
                "stop": (y, 8, 20), "cancel": (y, 6, 20), "province_return": (y - 1, 6, 5 + d)}  # fmt: skip
    else:
        days = {"submit": (y - 1, 9, 5 + d), "province_pass": (y - 1, 10, 10 + d),
                "province_reject": (y - 1, 10, 10 + d),
                "approve_local": (y, 1, 25), "contract_local": (y, 3, 2 + d), "start": (y, 3, 16 + d),
                "accept": (y, 10, 5 + d), "submit_settlement": (y, 10, 18 + d), "settle_local": (y + 1, 1, 8 + d),
                "close_local": (y + 1, 2, 10 + d), "stop_local": (y, 8, 20), "cancel_local": (y, 6, 20)}  # fmt: skip
    if spec.year == 2019 and spec.level == NATIONAL:
        days["submit"] = (2018, 5, 20)  # after TT 28/2018 came into force (11/5/2018)
    out = {action: dt.date(*value) for action, value in days.items()}
    out.update(spec.dates)
    return out


class _Context:
    def __init__(self) -> None:
        self.users = {u.username: u for u in User.objects.filter(username__contains=".") | User.objects.filter(
            username="admin")}  # fmt: skip
        self.units = {u.code: u for u in OrgUnit.objects.filter(code__startswith="TTKC")}
        self.units.update({u.code: u for u in OrgUnit.objects.filter(code__startswith="SCT-")})
        self.provinces = {p.code: p for p in Province.objects.current()}
        self.contents = {c.code: c for c in ActivityContent.objects.filter(code__startswith="2012-")}
        self.pools: dict[str, list[Establishment]] = {}
        self.used: set[int] = set()

    def user(self, name: str) -> User:
        return self.users.get(name) or self.users["admin"]

    def actor(self, spec: Spec, action: str) -> User:
        unit, province = spec.unit, spec.province
        if action in IMPLEMENTER_STEPS:
            if unit == "TTKC-42":
                return self.user("hatinh.thuchien")
            if unit == "TTKC1":
                return self.user("ttkc1.chuyenvien")
            return self.user("admin")
        if action in PROVINCE_STEPS:
            return self.user({"42": "hatinh.chuyenvien", "40": "nghean.chuyenvien"}.get(province, "admin"))
        if action in {"approve_local", "stop_local", "cancel_local"}:
            return self.user("hatinh.lanhdao" if province == "42" else "admin")
        if action in {"approve", "stop", "cancel"}:
            return self.user("cuc.lanhdao")
        return self.user("cuc.chuyenvien")

    def establishments(self, province: str, count: int, on: dt.date) -> list[Establishment]:
        """Eligible establishments of the demo registry in the province, each used once."""
        if province not in self.pools:
            rows = (
                Establishment.objects.filter(
                    province_id=self.provinces[province].pk,
                    merged_into__isnull=True,
                    status=Establishment.Status.ACTIVE,
                    external_id__startswith="demo-0",
                    commune__unit_type=Commune.UnitType.COMMUNE,
                )
                .select_related("commune__province", "legacy_commune__province", "craft_village")
                .order_by("pk")[:120]
            )
            self.pools[province] = list(rows)
        chosen = []
        for establishment in self.pools[province]:
            if len(chosen) == count:
                break
            if establishment.pk in self.used:
                continue
            if establishment.legacy_commune_id is None:
                _complete_legacy_commune(establishment)
            if not eligibility(establishment, on).eligible:
                continue
            self.used.add(establishment.pk)
            chosen.append(establishment)
        return chosen


def _complete_legacy_commune(establishment: Establishment) -> None:
    """A demo record without its commune before 1/7/2025 gets the one its commune succeeded (the
    territory's own map), so eligibility on a date before the reform can be decided."""
    predecessor = (
        Commune.objects.legacy()
        .filter(successor_id=establishment.commune_id, unit_type=Commune.UnitType.COMMUNE)
        .select_related("province", "district")
        .order_by("code")
        .first()
    )
    if predecessor is not None:
        Establishment.objects.filter(pk=establishment.pk).update(legacy_commune=predecessor)
        establishment.legacy_commune = predecessor


def _plan_line(spec: Spec, content: ActivityContent) -> PlanLine | None:
    if spec.plan_line is not None:
        return spec.plan_line
    plans = AnnualPlan.objects.filter(level=spec.level, year=spec.year)
    if spec.level == LOCAL:
        plans = plans.filter(province__code=spec.province)
    plan = plans.first()
    if plan is None:
        return None
    version = plan.versions.filter(status=PlanVersion.Status.APPROVED).order_by("sequence").first()
    if version is None:
        return None
    leaves = PlanLine.objects.filter(plan_version=version, children__isnull=True, amount__gt=0).order_by("pk")
    if spec.level == LOCAL:
        leaves = leaves.filter(funding_source="local")
    return leaves.filter(content=content).first() or leaves.first()


def _create(ctx: _Context, spec: Spec, rng: random.Random) -> Project:
    content_code, norm, pattern, (low, high), share = KINDS_OF_WORK[spec.work]
    content = ctx.contents[content_code]
    province = ctx.provinces[spec.province]
    product = rng.choice(PRODUCTS)
    place = spec.legacy.name if spec.legacy is not None else f"tỉnh {PROVINCE_NAMES.get(spec.province, province.name)}"
    name = spec.name or f"{pattern.format(product=product)} tại {place}"
    unit = ctx.units[spec.unit]
    schedule = _schedule(spec, rng)
    start = schedule.get("contract", schedule.get("contract_local", dt.date(spec.year, 3, 1)))
    values = {
        "code": spec.code,
        "name": name,
        "level": spec.level,
        "kind": spec.kind,
        "content": content,
        "norm_code": norm,
        "year": spec.year,
        "implementing_unit": unit,
        "proposing_unit": ctx.units.get(f"SCT-{spec.province}"),
        "province": province,
        "legacy_province": spec.legacy,
        "location": f"{place.capitalize() if spec.legacy is None else place}",
        "start_date": start,
        "end_date": dt.date(spec.year, 11, 30),
        "objectives": f"Nâng cao năng suất, chất lượng sản phẩm {product}; nhân rộng cho các cơ sở trong vùng.",
        "target_outputs": "01 mô hình hoạt động ổn định; 20 lao động được đào tạo vận hành.",
    }
    if spec.lines == 0:
        support = spec.support or int(rng.randint(low, high) * share) * M
        values.update(support_amount=support, total_cost=int(support / share) // M * M,
                      counterpart_amount=int(support / share) // M * M - support)  # fmt: skip
    creator = ctx.actor(spec, "submit")
    with acting_as(creator):
        project = actions.save_project(user=creator, values=values)
        if spec.lines:
            on = schedule["submit"]
            lines = []
            for establishment in ctx.establishments(spec.province, spec.lines, on):
                cost = rng.randint(low, high) * M
                if spec.support is not None:  # the plan line's share
                    support = spec.support // spec.lines
                    cost = max(cost, int(support / share) // M * M + M)
                elif spec.code == "KCQG-2019-42-01":
                    cost, support = 520 * M, 250 * M  # ≤ 300 M đ (TT 28/2018), over TTLT 26/2014's 200 M đ
                else:
                    support = min(int(cost * share) // M * M, 290 * M if norm == "machinery" else cost)
                outputs = "Máy móc lắp đặt, vận hành ổn định; 10 lao động được hướng dẫn."
                lines.append(
                    actions.BeneficiaryInput(
                        establishment, eligible_cost=cost, support=support, counterpart=cost - support, outputs=outputs
                    )
                )
            if lines:
                actions.save_beneficiaries(user=creator, project=project, lines=lines)
                project.refresh_from_db()
    return project


def _walk(ctx: _Context, spec: Spec, project: Project, rng: random.Random) -> Project:
    schedule = _schedule(spec, rng)
    content = project.content
    happened: list[dt.date] = []
    for action in _path(spec):
        on = schedule[action]
        if happened and on < happened[-1]:
            on = happened[-1] + dt.timedelta(days=5)
        user = ctx.actor(spec, action)
        kwargs: dict = {"on": on, "comment": COMMENTS.get(action, "")}
        if action in DECISIONS:
            number = 100 + rng.randint(1, 899)
            kwargs.update(decision_number=f"{number}/{DECISIONS[action]}", decision_date=on)
        if action in ("approve", "approve_local"):
            kwargs["plan_line"] = _plan_line(spec, content)
            rounded = project.support_amount // (10 * M) * (10 * M)
            kwargs["approved_support"] = project.support_amount if spec.support or not rounded else rounded
        with acting_as(user):
            if action in FLOW_STEPS and project.beneficiaries.exists():
                project = _through_the_flow(ctx, spec, project, action, on, kwargs.get("decision_number", ""))
            elif action in FLOW_STEPS:
                # No beneficiary line to accept (a group project of a province outside the demo
                # registry): the programme's record of the step, taken as the flows take it.
                project = actions.take_step(user=user, project=project, action=action, enforce=False, **kwargs)
            else:
                project = actions.take_step(user=user, project=project, action=action, **kwargs)
        happened.append(on)
        if action in ("approve", "approve_local") and spec.kind == GROUP and spec.lines == 0:
            # a group project names its beneficiaries after approval
            project = _name_group(ctx, spec, project, on)
        if action in ("approve", "approve_local") and spec.epidemic:
            with acting_as(ctx.user("admin")):
                project = actions.save_project(
                    user=ctx.user("admin"),
                    instance=project,
                    values={
                        "disruption": "epidemic",
                        "disruption_event": "Dịch COVID-19",
                        "disruption_note": "Giãn cách xã hội từ 4/2020: cơ sở tạm dừng sản xuất, chưa ký được "
                        "hợp đồng hỗ trợ trước 15/5/2020; đề nghị điều chỉnh tiến độ.",
                    },
                )
    # the history is dated on the day each step happened
    transitions = list(ProjectTransition.objects.filter(project=project).order_by("pk"))
    for transition, day in zip(transitions, happened, strict=False):
        transition.at = timezone.make_aware(
            dt.datetime.combine(day, dt.time(9 + rng.randint(0, 7), rng.randint(0, 59)))
        )
    ProjectTransition.objects.bulk_update(transitions, ["at"])
    return project


# Steps the acceptance records and the settlement flow take (``finance.settlement.reserve_project_steps``).
FLOW_STEPS = frozenset({"accept", "submit_settlement", "settle", "settle_local"})


def _through_the_flow(ctx: _Context, spec: Spec, project: Project, action: str, on: dt.date, number: str) -> Project:
    """Take a reserved step the way users do: a passing acceptance record for every beneficiary line
    (the last takes ``accept``), the settlement dossier (``submit_settlement``), the check of a local
    one and its approval (``settle`` / ``settle_local``). The money is not written yet (the money demo
    runs after the contracts), so the dossier proposes and the approval settles 0 đ; the settlement
    demo (``demo/settlement.py``) then brings its amounts in line with the ledger's entries."""
    from khuyencong.finance.acceptance import record_acceptance
    from khuyencong.finance.models import Settlement, SettlementState
    from khuyencong.finance.settlement import approve_settlement, check_settlement, submit_settlement_dossier

    user = ctx.actor(spec, action)
    if action == "accept":
        for n, line in enumerate(project.beneficiaries.order_by("position", "pk"), 1):
            record_acceptance(user=user, line=line, passed=True, accepted_on=on, record_number=f"{n:02d}/BB-NT",
                              achieved=line.outputs or "Hoàn thành các nội dung theo hợp đồng hỗ trợ")  # fmt: skip
    elif action == "submit_settlement":
        submit_settlement_dossier(user=user, project=project, submitted_on=on, proposed_amount=0)
        if spec.level == LOCAL and spec.province == "42" and spec.state == S.SETTLEMENT_SUBMITTED:
            # checked by the provincial finance department: hatinh.chuyenvien has one to approve
            found = Settlement.objects.get(project=project)
            check_settlement(user=ctx.user("hatinh.taichinh"), settlement=found, checked_on=on)
    else:
        found = Settlement.objects.get(project=project)
        if found.state == SettlementState.SUBMITTED and found.level == LOCAL:
            checker = ctx.user("hatinh.taichinh" if spec.province == "42" else "admin")
            found = check_settlement(user=checker, settlement=found, checked_on=found.submitted_on)
        approve_settlement(user=user, settlement=found, settled_amount=0, decision_number=number, decision_date=on)
    project.refresh_from_db()
    return project


def _name_group(ctx: _Context, spec: Spec, project: Project, on: dt.date) -> Project:
    budget = project.approved_support or 0
    establishments = ctx.establishments(spec.province, 3, on)
    if not establishments or not budget:
        return project
    each = budget // len(establishments) // M * M
    lines = [
        actions.BeneficiaryInput(e, eligible_cost=each * 2, support=each, counterpart=each,
                                 outputs="Học viên được đào tạo, có việc làm tại cơ sở.")
        for e in establishments
    ]  # fmt: skip
    user = ctx.user("admin")
    with acting_as(user):
        actions.save_beneficiaries(user=user, project=project, lines=lines)
    project.refresh_from_db()
    return project


# --- the 2022 national plan: 122 projects in 47 provinces ---------------------------------------

PLAN_2022_STATES = ([S.APPROVED] * 28 + [S.CONTRACTED] * 36 + [S.IN_PROGRESS] * 34 + [S.ACCEPTED] * 12
                    + [S.SETTLEMENT_SUBMITTED] * 6 + [S.SETTLED] * 4 + [S.CLOSED] * 2)  # fmt: skip
WORKS_2022 = ["machinery", "machinery", "model", "training", "machinery", "brand"]


def _specs_2022(ctx: _Context, rng: random.Random) -> list[Spec]:
    plan = AnnualPlan.objects.filter(level=NATIONAL, year=2022).first()
    if plan is None:
        return []
    version = plan.versions.filter(kind="supplementary", status=PlanVersion.Status.APPROVED).first()
    if version is None:
        return []
    lines = list(
        PlanLine.objects.filter(plan_version=version, number__startswith="7.", province__isnull=False)
        .select_related("province__successor")
        .order_by("pk")
    )
    states = list(PLAN_2022_STATES)
    rng.shuffle(states)
    regional = {7: "TTKC1", 8: "TTKC2", 9: "TTKC3"}
    region_of = {}
    for unit in OrgUnit.objects.filter(code__in=regional.values()).select_related("region"):
        for province_id in unit.region.provinces.values_list("pk", flat=True) if unit.region else []:
            region_of[province_id] = unit.code
    specs = []
    for line in lines:
        legacy = line.province
        current = legacy.successor if legacy.successor_id else legacy
        count = int(line.target_quantity or 1)
        share = line.amount // count // M * M
        for number in range(1, count + 1):
            index = len(specs)
            state = states[index % len(states)]
            in_registry = current.code in PROVINCE_NAMES
            unit = region_of.get(legacy.pk, "TTKC2") if number == 2 and index % 3 == 0 else f"TTKC-{current.code}"
            work = WORKS_2022[index % len(WORKS_2022)]
            support = line.amount - share * (count - 1) if number == count else share
            specs.append(
                Spec(
                    f"KCQG-2022-{legacy.code}-{index + 1:03d}",
                    2022,
                    NATIONAL,
                    current.code,
                    state,
                    work,
                    GROUP if work == "training" else FLAGSHIP if index % 17 == 0 else ORDINARY,
                    unit=unit,
                    lines=1 if in_registry and work != "training" else 0,
                    legacy=legacy,
                    plan_line=line,
                    support=support,
                )
            )
    _regional_centre_1(specs, version)
    return specs


# Regional centre 1's 2022 projects that were contracted or further along: the four that carry its
# 2022 disbursement (1.4 bn đ, DOMAIN.md §6; ``khuyencong.demo.finance``). They are the region's
# larger projects — demonstration models and training courses — approved into lines 2.1 and 1.1 of
# the plan rather than a province's share of the supplement: (work, support, plan line number).
REGIONAL_CENTRE_1_2022 = {
    S.CLOSED: ("model", 450 * M, "2.1"),
    S.ACCEPTED: ("model", 400 * M, "2.1"),
    S.IN_PROGRESS: ("training", 400 * M, "1.1"),
    S.CONTRACTED: ("training", 390 * M, "1.1"),
}


def _regional_centre_1(specs: list[Spec], version: PlanVersion) -> None:
    lines = {line.number: line for line in PlanLine.objects.filter(plan_version=version, number__in=["1.1", "2.1"])}
    for spec in specs:
        if spec.unit != "TTKC1" or spec.state not in REGIONAL_CENTRE_1_2022:
            continue
        work, support, number = REGIONAL_CENTRE_1_2022[spec.state]
        if number not in lines:
            continue
        spec.work, spec.support, spec.plan_line = work, support, lines[number]
        spec.kind = GROUP if work == "training" else ORDINARY if spec.kind == GROUP else spec.kind
        spec.lines = 0 if work == "training" else spec.lines


@transaction.atomic
def load_projects() -> dict:
    """Create the demo projects that are missing (needs the demo accounts, registry and plans)."""
    ctx = _Context()
    if "admin" not in ctx.users or not AnnualPlan.objects.exists():
        return {"projects": Project.objects.count(), "added": 0}
    rng = random.Random(SEED)
    specs = _specs()
    specs += _specs_2022(ctx, rng)
    existing = set(Project.objects.values_list("code", flat=True))
    added = 0
    for spec in specs:
        spec.unit = spec.unit or f"TTKC-{spec.province}"
        spec_rng = random.Random(f"{SEED}-{spec.code}")
        if spec.code.upper() in existing:
            continue
        project = _create(ctx, spec, spec_rng)
        _walk(ctx, spec, project, spec_rng)
        added += 1
    adjusted = _adjustments(ctx)
    return {"projects": Project.objects.count(), "added": added, "adjustments": adjusted}


# --- adjustments (điều chỉnh) -------------------------------------------------------------------

# (project code, kind, cause, event, reason, changes, proposed, confirmed, approved with its decision)
ADJUSTMENTS = [
    ("KCQG-2020-40-02", "timeline", "epidemic", "Dịch COVID-19",
     "Cơ sở tạm dừng sản xuất trong thời gian giãn cách; đề nghị lùi thời hạn hoàn thành.",
     {"end_date": "2021-03-31"}, dt.date(2020, 5, 20), dt.date(2020, 5, 28), ("1276/QĐ-BCT", dt.date(2020, 6, 10))),
    ("KCQG-2020-38-02", "cancel", "epidemic", "Dịch COVID-19",
     "Cơ sở thụ hưởng không bố trí được vốn đối ứng do ảnh hưởng của dịch; đề nghị hủy đề án.",
     {}, dt.date(2020, 5, 18), dt.date(2020, 5, 26), ("1277/QĐ-BCT", dt.date(2020, 6, 10))),
    ("KCQG-2024-38-01", "stop", "other", "",
     "Cơ sở thụ hưởng ngừng sản xuất do thiếu vốn đối ứng; đề nghị dừng đề án.",
     {}, dt.date(2024, 8, 1), dt.date(2024, 8, 10), ("902/QĐ-BCT", dt.date(2024, 8, 20))),
    # open: awaiting the Department (hatinh.chuyenvien), the Agency (cuc.lanhdao), the province (hatinh.lanhdao)
    ("KCQG-2025-42-01", "timeline", "natural_disaster", "Bão số 10 (Bualoi)",
     "Bão số 10 làm tốc mái nhà xưởng, thiết bị chưa lắp đặt được; đề nghị lùi thời hạn đến 31/3/2026.",
     {"end_date": "2026-03-31"}, dt.date(2025, 10, 6), None, None),
    ("KCQG-2025-40-01", "budget", "other", "",
     "Giá máy móc thiết bị giảm sau đấu thầu; đề nghị điều chỉnh giảm kinh phí hỗ trợ.",
     {"approved_support": "round"}, dt.date(2025, 6, 2), dt.date(2025, 6, 12), None),
    ("KCĐP-2025-42-01", "place", "other", "",
     "Cơ sở chuyển xưởng sản xuất sang địa điểm mới trong cùng xã.",
     {"location": "Thôn Tân Phúc, xã Thạch Khê"}, dt.date(2025, 7, 1), dt.date(2025, 7, 8), None),
]  # fmt: skip


def _adjustments(ctx: _Context) -> int:
    from khuyencong.adjustments import actions as adjustment_actions
    from khuyencong.adjustments.models import Adjustment, AdjustmentTransition

    made = 0
    for code, kind, cause, event, reason, changes, proposed, confirmed, approved in ADJUSTMENTS:
        project = Project.objects.select_related("province", "implementing_unit").filter(code=code).first()
        if project is None or Adjustment.objects.filter(project=project).exists():
            continue
        spec = Spec(code, project.year, project.level, project.province.code, project.state,
                    unit=project.implementing_unit.code)  # fmt: skip
        if changes.get("approved_support") == "round":
            changes = {"approved_support": (project.approved_support or 0) * 9 // 10 // M * M}
        proposer = ctx.actor(spec, "submit")
        with acting_as(proposer):
            adjustment = adjustment_actions.propose_adjustment(
                user=proposer, project=project, kind=kind, reason=reason, cause=cause, cause_event=event,
                changes=changes, on=proposed,
            )  # fmt: skip
        days = [proposed]
        if confirmed:
            officer = ctx.actor(spec, "province_pass")
            with acting_as(officer):
                adjustment_actions.take_adjustment_step(user=officer, adjustment=adjustment, action="confirm")
            days.append(confirmed)
        if approved:
            number, day = approved
            approver = ctx.actor(spec, "approve" if project.level == NATIONAL else "approve_local")
            adjustment.refresh_from_db()
            with acting_as(approver):
                adjustment_actions.take_adjustment_step(
                    user=approver, adjustment=adjustment, action="approve" if project.level == NATIONAL else
                    "approve_local", decision_number=number, decision_date=day,
                )  # fmt: skip
            days.append(day)
            moment = timezone.make_aware(dt.datetime.combine(day, dt.time(15)))
            ProjectTransition.objects.filter(project=project, data__adjustment=adjustment.pk).update(at=moment)
        for transition, day in zip(AdjustmentTransition.objects.filter(adjustment=adjustment).order_by("pk"), days,
                                   strict=False):  # fmt: skip
            transition.at = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
            transition.save(update_fields=["at"])
        made += 1
    return made
