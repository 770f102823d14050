"""Demo programmes and annual plans, written through the planning actions by the demo accounts.

National programmes 2014–2020 (QĐ 1288/QĐ-TTg), 2021–2025 (QĐ 1881/QĐ-TTg, the targets of
DOMAIN.md §9) and 2026–2030 (QĐ 2646/QĐ-BCT, targets still to be loaded); national plans
2019–2026, with an adjustment and a supplement in 2020 (the epidemic, lines flagged) and a
supplement in 2022 (funds arriving late: 140 bn đ for 122 projects in 47 provinces); the Hà Tĩnh
2020 local plan of 2,080,000,000 đ in four content groups (DOMAIN.md §10) and local plans of Nghệ
An, Thanh Hóa and Ninh Bình. Deterministic and idempotent: a plan that exists is left alone.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from khuyencong.accounts.models import User
from khuyencong.kernel.context import acting_as
from khuyencong.organisation.models import OrgUnit
from khuyencong.planning import actions
from khuyencong.planning.actions import LineInput, TargetInput
from khuyencong.planning.models import AnnualPlan, Programme
from khuyencong.rulebook.models import ActivityContent, LegalDocument, Level
from khuyencong.territory.models import Province

SEED = 2026
BN = 1_000_000_000
M = 1_000_000

TARGETS_2021_2025 = [
    ("Mô hình trình diễn kỹ thuật, chuyển giao công nghệ", "mô hình", 340, "03"),
    ("Máy móc thiết bị tiên tiến được hỗ trợ", "máy", 1600, "03"),
    ("Dây chuyền công nghệ được hỗ trợ", "dây chuyền", 300, "03"),
    ("Cơ sở được đánh giá sản xuất sạch hơn", "cơ sở", 300, "05"),
    ("Mô hình thí điểm sản xuất sạch hơn", "mô hình", 100, "05"),
    ("Cơ sở được hỗ trợ nâng cấp hệ thống xử lý ô nhiễm", "cơ sở", 50, "05"),
    ("Cơ sở được hỗ trợ xây dựng, đăng ký nhãn hiệu", "cơ sở", 350, "04"),
    ("Cụm công nghiệp được lập quy hoạch chi tiết", "cụm", 50, "08"),
    ("Cụm công nghiệp được hỗ trợ nâng cấp hạ tầng", "cụm", 60, "08"),
    ("Hội chợ, triển lãm trong nước", "hội chợ", 15, "04"),
    ("Hội chợ, triển lãm ở nước ngoài", "hội chợ", 5, "09"),
    ("Lao động nông thôn được đào tạo nghề", "người", 10000, "01"),
]

# The national plan's content groups: (number, content, group name, rows (name, share of the group)).
NATIONAL_GROUPS = [
    (
        "I",
        "01",
        "Đào tạo nghề, truyền nghề",
        [("Đào tạo nghề tại các tỉnh miền Bắc", 0.5), ("Đào tạo nghề tại các tỉnh miền Trung, Tây Nguyên", 0.5)],
    ),
    (
        "II",
        "03",
        "Mô hình trình diễn kỹ thuật, máy móc thiết bị",
        [("Xây dựng mô hình trình diễn kỹ thuật", 0.45), ("Hỗ trợ ứng dụng máy móc thiết bị tiên tiến", 0.55)],
    ),
    (
        "III",
        "04",
        "Phát triển sản phẩm công nghiệp nông thôn",
        [
            ("Bình chọn sản phẩm CNNT tiêu biểu cấp khu vực, quốc gia", 0.3),
            ("Hội chợ, triển lãm trong nước", 0.4),
            ("Hỗ trợ xây dựng, đăng ký nhãn hiệu", 0.3),
        ],
    ),
    ("IV", "05", "Sản xuất sạch hơn, xử lý ô nhiễm môi trường", [("Đánh giá sản xuất sạch hơn tại cơ sở", 1.0)]),
    ("V", "07", "Thông tin, tuyên truyền", [("Chương trình truyền hình, bản tin khuyến công", 1.0)]),
    ("VI", "10", "Nâng cao năng lực quản lý và tổ chức thực hiện", [("Tập huấn, kiểm tra, giám sát", 1.0)]),
]
NATIONAL_TOTALS = {
    2019: 98 * BN,
    2020: 104 * BN,
    2021: 112 * BN,
    2022: 118 * BN,
    2023: 125 * BN,
    2024: 130 * BN,
    2025: 136 * BN,
    2026: 142 * BN,
}

HA_TINH_2020 = [
    (
        "I",
        "01",
        "Đào tạo nghề, tư vấn, xây dựng thương hiệu và hỗ trợ bình chọn sản phẩm",
        None,
        [
            ("1", "01", "Đào tạo nghề mây tre đan xuất khẩu tại Thạch Hà", 180 * M, 60, "học viên"),
            ("2", "06", "Tư vấn xây dựng, đăng ký nhãn hiệu nước mắm Cẩm Nhượng", 120 * M, 1, "nhãn hiệu"),
            ("3", "04", "Hỗ trợ tham gia bình chọn sản phẩm CNNT tiêu biểu cấp tỉnh", 100 * M, 20, "sản phẩm"),
        ],
    ),
    (
        "II",
        "03",
        "Mô hình trình diễn kỹ thuật, ứng dụng máy móc thiết bị",
        None,
        [
            ("4", "03", "Mô hình trình diễn kỹ thuật chế biến hải sản khô", 500 * M, 1, "mô hình"),
            ("5", "03", "Máy móc thiết bị cơ sở mộc mỹ nghệ Thái Yên", 300 * M, 1, "cơ sở"),
            ("6", "03", "Máy móc thiết bị cơ sở chế biến nước mắm", 300 * M, 1, "cơ sở"),
            ("7", "03", "Máy móc thiết bị cơ sở sản xuất bánh đa", 230 * M, 1, "cơ sở"),
        ],
    ),
    (
        "III",
        "02",
        "Nâng cao năng lực quản lý",
        None,
        [
            ("8", "02", "Tập huấn nâng cao năng lực quản lý cho chủ cơ sở CNNT", 150 * M, 2, "lớp"),
            ("9", "02", "Tham quan học tập kinh nghiệm ngoài tỉnh", 100 * M, 1, "chuyến"),
        ],
    ),
    (
        "IV",
        "07",
        "Thông tin tuyên truyền, quản lý chương trình",
        None,
        [
            ("10", "07", "Thông tin tuyên truyền hoạt động khuyến công", 60 * M, 12, "tin bài"),
            ("11", "10", "Kiểm tra, giám sát, quản lý chương trình", 40 * M, None, ""),
        ],
    ),
]
LOCAL_PROVINCES = {"42": "Hà Tĩnh", "40": "Nghệ An", "38": "Thanh Hóa", "37": "Ninh Bình"}


def _content(catalogue: str, number: str) -> ActivityContent:
    return ActivityContent.objects.get(code=f"{catalogue}-{number}")


def _catalogue(year: int) -> str:
    return "2025" if year >= 2026 else "2012"


def _content_2025(number: str) -> str:
    """The 2025 catalogue renumbered some contents: the demo's groups mapped onto it."""
    return {
        "01": "01",
        "02": "02",
        "03": "03",
        "04": "04",
        "05": "05",
        "06": "08",
        "07": "09",
        "08": "10",
        "09": "11",
        "10": "12",
    }[number]


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _programmes() -> dict[str, Programme]:
    admin = _user("admin")
    agency = OrgUnit.objects.get(code="CUC-DMST")
    specs = [
        ("1288/QĐ-TTg", "Chương trình khuyến công quốc gia đến năm 2020", 2014, 2020, []),
        ("1881/QĐ-TTg", "Chương trình khuyến công quốc gia giai đoạn 2021–2025", 2021, 2025, TARGETS_2021_2025),
        (
            "2646/QĐ-BCT",
            "Chương trình khuyến công quốc gia giai đoạn 2026–2030",
            2026,
            2030,
            [(name, unit, None, content) for name, unit, _value, content in TARGETS_2021_2025],
        ),
    ]
    out: dict[str, Programme] = {}
    for number, name, start, end, targets in specs:
        found = Programme.objects.filter(level=Level.NATIONAL, start_year=start).first()
        if found is None:
            catalogue = "2025" if start >= 2026 else "2012"
            target_inputs = [
                TargetInput(
                    name=n,
                    unit=u,
                    target_value=v,
                    content=_content(catalogue, _content_2025(c) if catalogue == "2025" else c),
                )
                for n, u, v, c in targets
            ]
            summary = "Chỉ tiêu định lượng theo phụ lục quyết định: chưa nhập (cần đối chiếu)." if start >= 2026 else ""
            found = actions.save_programme(
                user=admin,
                values={
                    "level": Level.NATIONAL,
                    "name": name,
                    "start_year": start,
                    "end_year": end,
                    "decision": LegalDocument.objects.filter(number=number).first(),
                    "owner": agency,
                    "summary": summary,
                },
                targets=target_inputs,
            )
        out[number] = found
    for code, province_name in LOCAL_PROVINCES.items():
        province = Province.objects.current().get(code=code)
        if not Programme.objects.filter(level=Level.LOCAL, province=province, start_year=2021).exists():
            actions.save_programme(
                user=admin,
                values={
                    "level": Level.LOCAL,
                    "name": f"Chương trình khuyến công tỉnh {province_name} 2021–2025",
                    "start_year": 2021,
                    "end_year": 2025,
                    "owner": OrgUnit.objects.get(code=f"SCT-{code}"),
                    "province": province,
                },
                targets=[
                    TargetInput(name="Cơ sở CNNT được hỗ trợ", unit="cơ sở", target_value=120),
                    TargetInput(name="Lao động được đào tạo nghề", unit="người", target_value=1500),
                ],
            )
    return out


def _national_lines(year: int, total: int, rng: random.Random) -> list[LineInput]:
    catalogue = _catalogue(year)
    shares = [0.16, 0.34, 0.24, 0.1, 0.06, 0.1]
    lines: list[LineInput] = []
    remaining = total
    for index, (number, content, name, rows) in enumerate(NATIONAL_GROUPS):
        group_total = remaining if index == len(NATIONAL_GROUPS) - 1 else int(round(total * shares[index], -6))
        remaining -= group_total
        code = _content_2025(content) if catalogue == "2025" else content
        parent = len(lines)
        lines.append(LineInput({"number": number, "name": name, "content": _content(catalogue, code)}))
        left = group_total
        for row_index, (row_name, share) in enumerate(rows, start=1):
            amount = left if row_index == len(rows) else int(round(group_total * share, -6))
            left -= amount
            lines.append(
                LineInput(
                    {
                        "number": f"{index + 1}.{row_index}",
                        "name": row_name,
                        "content": _content(catalogue, code),
                        "amount": amount,
                        "funding_source": "central",
                        "target_quantity": rng.randint(5, 60),
                        "target_unit": "đề án",
                    },
                    parent=parent,
                )
            )
    return lines


def _approve(user: User, plan: AnnualPlan, number: str, date: dt.date, signer: str, document=None) -> None:
    version = plan.versions.get(status="draft")
    actions.approve_version(
        user=user, version=version, decision_number=number, decision_date=date, signer=signer, legal_document=document
    )


def _national_plans(programmes: dict[str, Programme]) -> int:
    officer, leader = _user("cuc.chuyenvien"), _user("cuc.lanhdao")
    agency = OrgUnit.objects.get(code="CUC-DMST")
    made = 0
    for year, total in NATIONAL_TOTALS.items():
        if AnnualPlan.objects.filter(level=Level.NATIONAL, year=year).exists():
            continue
        made += 1
        programme = programmes["1288/QĐ-TTg"] if year <= 2020 else programmes["1881/QĐ-TTg"]
        if year >= 2026:
            programme = programmes["2646/QĐ-BCT"]
        rng = random.Random(SEED + year)
        with acting_as(officer):
            plan = actions.create_plan(
                user=officer,
                level=Level.NATIONAL,
                year=year,
                owner=agency,
                name=f"Kế hoạch khuyến công quốc gia năm {year}",
                programme=programme,
                declared_total=total,
            )
            actions.replace_plan_lines(
                user=officer, version=plan.versions.get(), lines=_national_lines(year, total, rng)
            )
        if year == 2026:
            continue  # the draft waits for the agency leader's approval (home page)
        with acting_as(leader):
            _approve(leader, plan, f"{100 + year - 2000}/QĐ-BCT", dt.date(year - 1, 12, 20), "Bộ trưởng Bộ Công Thương")
        if year == 2020:
            _adjust_2020(plan, officer, leader)
        if year == 2022:
            _supplement_2022(plan, officer, leader)
        if year <= 2024:
            with acting_as(officer):
                actions.close_plan(user=officer, plan=plan, comment="Kết thúc năm kế hoạch, đã quyết toán.")
    return made


def _adjust_2020(plan: AnnualPlan, officer: User, leader: User) -> None:
    """The epidemic: training and fairs cut and flagged; then a supplement for models and machinery."""
    letter = LegalDocument.objects.filter(number="2990/BCT-CTĐP").first()
    with acting_as(officer):
        draft = actions.start_change(
            user=officer,
            plan=plan,
            kind="adjusted",
            reason="Điều chỉnh do ảnh hưởng của dịch COVID-19 (Công văn 2990/BCT-CTĐP).",
        )
        cut = 0
        for line in draft.lines.filter(number__in=["1.1", "1.2", "3.2"]):
            new = line.amount * 6 // 10 // M * M
            cut += line.amount - new
            actions.save_plan_line(
                user=officer,
                version=draft,
                instance=line,
                values={
                    "amount": new,
                    "disruption": "epidemic",
                    "disruption_event": "Dịch COVID-19",
                    "disruption_note": "Không tổ chức được lớp đào tạo, hội chợ tập trung trong thời gian giãn cách.",
                },
            )
        actions.update_draft(user=officer, version=draft, declared_total=plan.declared_total - cut)
    with acting_as(leader):
        _approve(leader, plan, "1275/QĐ-BCT", dt.date(2020, 6, 10), "Bộ trưởng Bộ Công Thương", letter)
    plan.refresh_from_db()
    with acting_as(officer):
        draft = actions.start_change(
            user=officer,
            plan=plan,
            kind="supplementary",
            reason="Bổ sung kế hoạch cho các đề án máy móc thiết bị, mô hình sau dịch.",
        )
        group = draft.lines.get(number="II")
        actions.save_plan_line(
            user=officer,
            version=draft,
            values={
                "number": "2.3",
                "name": "Hỗ trợ máy móc thiết bị cho cơ sở bị ảnh hưởng bởi dịch COVID-19",
                "parent": group,
                "content": group.content,
                "amount": 6 * BN,
                "funding_source": "central",
                "target_quantity": 24,
                "target_unit": "đề án",
                "disruption": "epidemic",
                "disruption_event": "Dịch COVID-19",
                "disruption_note": "Phục hồi sản xuất sau giãn cách.",
            },
        )
        actions.update_draft(user=officer, version=draft, declared_total=plan.declared_total + 6 * BN)
    with acting_as(leader):
        _approve(leader, plan, "2460/QĐ-BCT", dt.date(2020, 9, 25), "Bộ trưởng Bộ Công Thương")


def _supplement_2022(plan: AnnualPlan, officer: User, leader: User) -> None:
    """Funds that arrived late: 122 projects in 47 provinces, 140 bn đ in all after the supplement."""
    provinces = list(Province.objects.in_force(dt.date(2022, 1, 1)).order_by("code")[:47])
    added = 140 * BN - plan.declared_total
    with acting_as(officer):
        draft = actions.start_change(
            user=officer,
            plan=plan,
            kind="supplementary",
            reason="Bổ sung kinh phí cấp muộn: 122 đề án tại 47 tỉnh, thành phố.",
        )
        group = actions.save_plan_line(
            user=officer,
            version=draft,
            values={
                "number": "VII",
                "name": "Đề án bổ sung theo kinh phí cấp muộn",
                "content": draft.lines.get(number="II").content,
            },
        )
        projects = [2] * 28 + [3] * 19  # 56 + 57 = 113; nine provinces get one more below
        for index in range(9):
            projects[index] += 1
        left = added
        for index, province in enumerate(provinces):
            amount = left if index == len(provinces) - 1 else added * projects[index] // 122 // M * M
            left -= amount
            actions.save_plan_line(
                user=officer,
                version=draft,
                values={
                    "number": f"7.{index + 1}",
                    "name": f"Đề án khuyến công tại {province.name}",
                    "parent": group,
                    "content": group.content,
                    "amount": amount,
                    "funding_source": "central",
                    "province": province,
                    "target_quantity": projects[index],
                    "target_unit": "đề án",
                },
            )
        actions.update_draft(user=officer, version=draft, declared_total=140 * BN)
    with acting_as(leader):
        _approve(leader, plan, "1912/QĐ-BCT", dt.date(2022, 8, 30), "Bộ trưởng Bộ Công Thương")


def _ha_tinh_2020_lines() -> list[LineInput]:
    lines: list[LineInput] = []
    for number, content, name, _amount, rows in HA_TINH_2020:
        parent = len(lines)
        lines.append(LineInput({"number": number, "name": name, "content": _content("2012", content)}))
        for row_number, row_content, row_name, amount, quantity, unit in rows:
            lines.append(
                LineInput(
                    {
                        "number": row_number,
                        "name": row_name,
                        "content": _content("2012", row_content),
                        "amount": amount,
                        "funding_source": "local",
                        "target_quantity": quantity,
                        "target_unit": unit,
                    },
                    parent=parent,
                )
            )
    return lines


def _local_lines(year: int, total: int) -> list[LineInput]:
    catalogue = _catalogue(year)
    groups = [
        ("I", "01", "Đào tạo nghề, truyền nghề", 0.3),
        ("II", "03", "Mô hình trình diễn, máy móc thiết bị", 0.5),
        ("III", "04", "Phát triển sản phẩm CNNT, hội chợ, bình chọn", 0.2),
    ]
    lines: list[LineInput] = []
    left = total
    for index, (number, content, name, share) in enumerate(groups):
        code = _content_2025(content) if catalogue == "2025" else content
        amount = left if index == len(groups) - 1 else int(round(total * share, -6))
        left -= amount
        parent = len(lines)
        lines.append(LineInput({"number": number, "name": name, "content": _content(catalogue, code)}))
        lines.append(
            LineInput(
                {
                    "number": f"{index + 1}",
                    "name": f"{name} (các cơ sở trong tỉnh)",
                    "content": _content(catalogue, code),
                    "amount": amount,
                    "funding_source": "local",
                },
                parent=parent,
            )
        )
    return lines


def _local_plans(programmes_by_province: dict[str, Programme]) -> int:
    admin = _user("admin")
    made = 0
    totals = {"42": 2_080 * M, "40": 3_150 * M, "38": 2_800 * M, "37": 1_900 * M}
    for code, province_name in LOCAL_PROVINCES.items():
        province = Province.objects.current().get(code=code)
        officer = _user("hatinh.chuyenvien") if code == "42" else _user("nghean.chuyenvien") if code == "40" else admin
        approver = _user("hatinh.lanhdao") if code == "42" else admin
        for year in (2020, 2025, 2026):
            if AnnualPlan.objects.filter(level=Level.LOCAL, year=year, province=province).exists():
                continue
            made += 1
            total = totals[code] + (year - 2020) * 150 * M if (code, year) != ("42", 2020) else 2_080 * M
            programme = programmes_by_province.get(code) if 2021 <= year <= 2025 else None
            with acting_as(officer):
                plan = actions.create_plan(
                    user=officer,
                    level=Level.LOCAL,
                    year=year,
                    province=province,
                    owner=OrgUnit.objects.get(code=f"SCT-{code}"),
                    programme=programme,
                    declared_total=total,
                    name=f"Kế hoạch khuyến công địa phương năm {year} tỉnh {province_name}",
                )
                lines = _ha_tinh_2020_lines() if (code, year) == ("42", 2020) else _local_lines(year, total)
                actions.replace_plan_lines(user=officer, version=plan.versions.get(), lines=lines)
            if year == 2026:
                continue  # waits for the provincial leader's approval
            with acting_as(approver):
                _approve(approver, plan, f"{200 + year - 2000}/QĐ-UBND", dt.date(year, 1, 20), "Chủ tịch UBND tỉnh")
    return made


@transaction.atomic
def load_planning() -> dict:
    """Load the demo programmes and plans (needs the demo accounts); returns how many were added."""
    programmes = _programmes()
    by_province = {
        p.province.code: p
        for p in Programme.objects.filter(level=Level.LOCAL, start_year=2021).select_related("province")
    }
    return {
        "programmes": Programme.objects.count(),
        "national_plans": _national_plans(programmes),
        "local_plans": _local_plans(by_province),
    }
