"""The programme summary (báo cáo tổng kết chương trình khuyến công) over a period, e.g. 2021–2025
(DOMAIN.md §9; the 2019 scenario of §10 asks every province to join the summary of a programme).

For the whole country, a regional centre's region or one province (``issuer.document_scope``:
a Department summarises only its province), over ``from_year``–``to_year``:

* by province — the 34 provinces in force since 1/7/2025, or the 63 before it for a period that
  ended before the reform (``generation``; as the dashboards switch): projects approved into the
  plans, projects accepted at the facility, beneficiaries supported, the approved support, and the
  money from ``finance.rollups.rollup`` (allocated, disbursed, settled) with the disbursement rate;
  what no province can be given (a regional centre's own allocation, a project after the reform
  seen by the provinces before it) has its own row, so the totals row is the sum of the rows and
  equals the rollup's total;
* by year — the same figures per plan year, with the plan budget;
* the programme's targets against achievements, from ``dashboards.selectors.target_progress``
  (achievements only where the records can count them).

Nothing in the period (no project, no money) is refused with ``empty_period``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from khuyencong.dashboards import selectors as dashboards
from khuyencong.dashboards.scope import NATIONAL, PROVINCE, DashboardScope
from khuyencong.documents.forms import DocumentForm
from khuyencong.documents.issuer import (
    Issuer,
    clean_scope_field,
    document_scope,
    issuer_for,
    log_scope,
    scope_choices_for,
    scope_label,
)
from khuyencong.documents.model import Cell, Heading, OfficialDocument, Paragraph, Table
from khuyencong.documents.registry import DocumentKind
from khuyencong.finance import rollups
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.kernel.money import format_percent, format_vnd, format_vnd_short
from khuyencong.planning.models import Programme
from khuyencong.projects.models import BeneficiaryLine, ProjectState
from khuyencong.rulebook.models import Level
from khuyencong.territory.models import REFORM_DATE, Province

KEY = "programme_summary"
CURRENT, LEGACY = dashboards.CURRENT, dashboards.LEGACY
# Projects that entered a plan (approved) and were not cancelled: what a programme counts.
COUNTED_STATES = (*dashboards.UNDER_WAY_STATES, *dashboards.DONE_STATES, ProjectState.STOPPED)
MAX_YEARS = 10
FIELD_ORDER = ["scope", "programme", "from_year", "to_year", "generation"]
UNASSIGNED = "Đơn vị trung ương, không gắn với tỉnh"
TOTAL = "Tổng cộng"


def default_generation(to_year: int) -> str:
    """A period that ended before 1/7/2025 reads by the 63 provinces of its time; one reaching the
    reform's year or later by the 34 in force (reports across years aggregate on the new units)."""
    return LEGACY if to_year < REFORM_DATE.year else CURRENT


# --- the form ------------------------------------------------------------------------------------


class ProgrammeSummaryForm(DocumentForm):
    scope = forms.ChoiceField(label=gettext_lazy("Scope"), required=False)
    programme = forms.ModelChoiceField(
        label=gettext_lazy("Programme"),
        queryset=Programme.objects.filter(level=Level.NATIONAL).order_by("-start_year"),
        required=False,
        help_text=gettext_lazy("Its period is used when the years are left empty."),
    )
    from_year = forms.IntegerField(label=gettext_lazy("From year"), min_value=2000, max_value=2100, required=False)
    to_year = forms.IntegerField(label=gettext_lazy("To year"), min_value=2000, max_value=2100, required=False)
    generation = forms.ChoiceField(
        label=gettext_lazy("Provinces"),
        required=False,
        choices=[
            ("", gettext_lazy("As of the period")),
            (CURRENT, gettext_lazy("34 provinces (from 1/7/2025)")),
            (LEGACY, gettext_lazy("63 provinces (before 1/7/2025)")),
        ],
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        scope_field = self.fields["scope"]
        assert isinstance(scope_field, forms.ChoiceField)
        scope_field.choices = scope_choices_for(user) if user is not None else [(NATIONAL, _("Whole country"))]
        if scope_field.choices and not self.is_bound:
            self.initial.setdefault("scope", scope_field.choices[0][0])
        if not self.is_bound:  # the last programme whose period has begun (2021–2025 in 2026)
            last = dashboards.programme_for(timezone.localdate().year - 1)
            if last is not None:
                self.initial.setdefault("programme", last.pk)
        self.order_fields(FIELD_ORDER)

    def clean_scope(self):
        return clean_scope_field(self.user, self.cleaned_data.get("scope") or "")

    def clean(self):
        data = super().clean() or {}
        programme = data.get("programme")
        low, high = data.get("from_year"), data.get("to_year")
        if programme is not None:
            low = low or programme.start_year
            high = high or programme.end_year
        if low is None or high is None:
            raise forms.ValidationError(_("Choose a programme or enter both years of the period."))
        if low > high:
            self.add_error("to_year", _("The period must end in or after the year it starts."))
        elif high - low + 1 > MAX_YEARS:
            self.add_error("to_year", _("A summary covers at most %(n)s years.") % {"n": MAX_YEARS})
        data["from_year"], data["to_year"] = low, high
        return data


# --- the figures ---------------------------------------------------------------------------------


@dataclass
class Line:
    """One row of the tables: a province (or a year), its projects and its money."""

    key: Any
    label: str
    projects: int = 0
    done: int = 0
    beneficiaries: int = 0
    support: int = 0
    plan: int = 0
    allocated: int = 0
    disbursed: int = 0
    settled: int = 0

    def add(self, other: Line) -> None:
        for name in ("projects", "done", "beneficiaries", "support", "plan", "allocated", "disbursed", "settled"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def empty(self) -> bool:
        return not any((self.projects, self.support, self.plan, self.allocated, self.disbursed, self.settled))

    @property
    def disbursed_percent(self) -> str:
        return format_percent(self.disbursed, self.allocated)


@dataclass
class Summary:
    scope: DashboardScope
    issuer: Issuer
    years: list[int]
    generation: str
    provinces: list[Line]
    by_year: list[Line]
    total: Line
    money: bool  # the reader may see the money (finance rollups)
    rollup_total: rollups.RollupRow | None
    programme: Programme | None
    targets: list[dict] = field(default_factory=list)

    @property
    def period(self) -> str:
        return f"{self.years[0]}–{self.years[-1]}" if len(self.years) > 1 else str(self.years[0])


def _provinces(scope: DashboardScope, generation: str) -> list[Province]:
    """The provinces of the generation the scope covers, in the territory's order."""
    if generation == LEGACY:
        rows = Province.objects.legacy()
        if scope.kind != NATIONAL:
            rows = rows.filter(successor__in=sorted(scope.province_ids))
    else:
        rows = Province.objects.current()
        if scope.kind != NATIONAL:
            rows = rows.filter(pk__in=sorted(scope.province_ids))
    return list(rows.order_by("code"))


def _rollup_filters(scope: DashboardScope) -> dict[str, Any]:
    return {"province": sorted(scope.province_ids)} if scope.kind != NATIONAL else {}


def summarise(user, *, scope: DashboardScope, years: list[int], generation: str) -> Summary:
    """The figures of the summary (a fixed number of queries whatever the number of projects)."""
    column = "legacy_province" if generation == LEGACY else "province"
    provinces = _provinces(scope, generation)
    lines: dict[Any, Line] = {p.pk: Line(p.pk, p.short_name or p.name) for p in provinces}
    unassigned = Line(None, UNASSIGNED)
    by_year: dict[int, Line] = {year: Line(year, str(year)) for year in years}

    def province_line(key: Any) -> Line:
        return lines.get(key, unassigned)

    projects = dashboards.scoped_projects(user, scope=scope).filter(
        year__gte=years[0], year__lte=years[-1], state__in=COUNTED_STATES
    )
    done = Q(state__in=dashboards.DONE_STATES)
    figures = {
        "n": Count("id"),
        "d": Count("id", filter=done),
        "s": Coalesce(Sum(Coalesce("approved_support", "support_amount")), 0),
    }
    for key, n, d, s in projects.order_by().values_list(column).annotate(**figures).values_list(column, "n", "d", "s"):
        line = province_line(key)
        line.projects, line.done, line.support = line.projects + n, line.done + d, line.support + s
    for year, n, d, s in projects.order_by().values_list("year").annotate(**figures).values_list("year", "n", "d", "s"):
        by_year[year].projects, by_year[year].done, by_year[year].support = n, d, s
    # Beneficiaries of the projects accepted at the facility (one per beneficiary line, so rows add up).
    beneficiaries = BeneficiaryLine.objects.filter(project__in=projects.filter(done).values("pk")).order_by()
    for key, n in beneficiaries.values_list(f"project__{column}").annotate(n=Count("id")):
        province_line(key).beneficiaries += n
    for year, n in beneficiaries.values_list("project__year").annotate(n=Count("id")):
        by_year[year].beneficiaries += n

    money = rollups.may_view(user)
    rollup_total = None
    if money:
        dimension = "legacy_province" if generation == LEGACY else "province"
        result = rollups.rollup(user, years=years, group_by=[dimension], **_rollup_filters(scope))
        for row in result.rows:
            line = province_line(row.key[dimension])
            line.plan += row.plan
            line.allocated += row.allocated
            line.disbursed += row.disbursed
            line.settled += row.settled
        rollup_total = result.total
        for row in rollups.rollup(user, years=years, group_by=["year"], **_rollup_filters(scope)).rows:
            year_line = by_year.get(row.key["year"])
            if year_line is not None:
                year_line.plan, year_line.allocated = row.plan, row.allocated
                year_line.disbursed, year_line.settled = row.disbursed, row.settled

    rows = [lines[p.pk] for p in provinces]
    if not unassigned.empty or unassigned.beneficiaries:
        rows.append(unassigned)
    total = Line(None, TOTAL)
    for line in rows:
        total.add(line)
    programme = _programme(years)
    targets = dashboards.target_progress(user, scope=scope, programme=programme) if programme else []
    return Summary(
        scope=scope,
        issuer=issuer_for(scope),
        years=years,
        generation=generation,
        provinces=rows,
        by_year=[by_year[year] for year in years],
        total=total,
        money=money,
        rollup_total=rollup_total,
        programme=programme,
        targets=targets,
    )


def _programme(years: list[int]) -> Programme | None:
    """The national programme of the period: the one whose period is the same, else the one
    holding its last year."""
    national = Programme.objects.filter(level=Level.NATIONAL)
    exact = national.filter(start_year=years[0], end_year=years[-1]).first()
    if exact is not None:
        return exact
    return national.filter(start_year__lte=years[-1], end_year__gte=years[-1]).order_by("-start_year").first()


# --- the document --------------------------------------------------------------------------------


def _amount(value: int) -> Cell:
    return int(value)


def _rate(numerator: int, denominator: int) -> Cell:
    """A rate in percent with two decimals (written 5,74), empty when nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# Amounts are written in full đồng ("Đơn vị tính: đồng" above the table): on a portrait A4 page
# (16.5 cm between the margins) at the wide tables' 10 pt, 2.6 parts of about 16.4 hold the 15
# characters of hundreds of billions; 2.45 hold tens of billions.
AMOUNT_WIDTH = 2.6


def province_table(summary: Summary) -> Table:
    columns = ["STT", "Tỉnh, thành phố", "Số đề án", "Đã nghiệm thu", "Kinh phí hỗ trợ được duyệt"]
    widths = [0.9, 2.0, 0.95, 1.15, 2.45]
    if summary.money:
        columns += ["Dự toán được giao", "Đã giải ngân", "Đã quyết toán", "Tỷ lệ giải ngân (%)"]
        widths += [AMOUNT_WIDTH, 2.45, 2.45, 1.45]
    else:
        columns.append("Lượt cơ sở được hỗ trợ")
        widths.append(1.2)
    rows: list[list[Cell]] = []
    for number, line in enumerate(summary.provinces, 1):
        row: list[Cell] = [
            str(number) if line.key is not None else "",
            line.label,
            line.projects,
            line.done,
            _amount(line.support),
        ]
        if summary.money:
            row += [
                _amount(line.allocated),
                _amount(line.disbursed),
                _amount(line.settled),
                _rate(line.disbursed, line.allocated),
            ]
        else:
            row.append(line.beneficiaries)
        rows.append(row)
    t = summary.total
    total: list[Cell] = ["", TOTAL, t.projects, t.done, _amount(t.support)]
    if summary.money:
        total += [_amount(t.allocated), _amount(t.disbursed), _amount(t.settled), _rate(t.disbursed, t.allocated)]
    else:
        total.append(t.beneficiaries)
    if summary.scope.kind == NATIONAL:
        generation = (
            "34 tỉnh, thành phố từ 01/7/2025" if summary.generation == CURRENT else "63 tỉnh, thành phố trước 01/7/2025"
        )
    else:
        generation = "địa giới từ 01/7/2025" if summary.generation == CURRENT else "địa giới trước 01/7/2025"
    return Table(
        title=f"Bảng 1. Kết quả thực hiện giai đoạn {summary.period} theo tỉnh, thành phố ({generation})",
        columns=columns,
        rows=rows,
        total=total,
        numeric=frozenset(range(2, len(columns))),
        widths=widths,
        sheet="Theo tỉnh",
    )


def year_table(summary: Summary) -> Table:
    columns = ["Năm", "Số đề án", "Đã nghiệm thu", "Kinh phí hỗ trợ được duyệt"]
    widths = [1.3, 1.0, 1.2, AMOUNT_WIDTH]
    if summary.money:
        columns += ["Kế hoạch", "Dự toán được giao", "Đã giải ngân", "Đã quyết toán"]
        widths += [AMOUNT_WIDTH] * 4
    rows: list[list[Cell]] = []
    total = Line(None, TOTAL)
    for line in summary.by_year:
        total.add(line)
        row: list[Cell] = [line.label, line.projects, line.done, _amount(line.support)]
        if summary.money:
            row += [_amount(line.plan), _amount(line.allocated), _amount(line.disbursed), _amount(line.settled)]
        rows.append(row)
    total_row: list[Cell] = [TOTAL, total.projects, total.done, _amount(total.support)]
    if summary.money:
        total_row += [_amount(total.plan), _amount(total.allocated), _amount(total.disbursed), _amount(total.settled)]
    return Table(
        title=f"Bảng 2. Kết quả thực hiện theo năm kế hoạch, giai đoạn {summary.period}",
        columns=columns,
        rows=rows,
        total=total_row,
        numeric=frozenset(range(1, len(columns))),
        widths=widths,
        sheet="Theo năm",
    )


def target_table(summary: Summary) -> Table:
    national = summary.scope.kind == NATIONAL
    achieved_label = "Kết quả đạt được" if national else "Kết quả của địa phương"
    rows: list[list[Cell]] = []
    for number, target in enumerate(summary.targets, 1):
        achieved = target["achieved"]
        rows.append(
            [
                str(number),
                target["name"],
                target["unit"],
                target["target"] if target["target"] is not None else "Chưa có số liệu",
                achieved if achieved is not None else "—",
                target["under_way"] if target["under_way"] is not None else "",
                (target["percent"] or "") if national else "",
                str(target["basis"]),
            ]
        )
    assert summary.programme is not None
    return Table(
        title=f"Bảng 3. Thực hiện các chỉ tiêu của {summary.programme.name}",
        columns=[
            "STT",
            "Chỉ tiêu",
            "Đơn vị tính",
            "Mục tiêu",
            achieved_label,
            "Đang thực hiện",
            "Tỷ lệ đạt",
            "Cách tính",
        ],
        rows=rows,
        numeric=frozenset({3, 4, 5, 6}),
        widths=[0.5, 3.0, 0.9, 0.9, 1.0, 1.0, 0.8, 2.6],
        sheet="Chỉ tiêu",
    )


def _where(scope: DashboardScope) -> str:
    """ "toàn quốc", "địa bàn tỉnh Hà Tĩnh", "địa bàn Bắc Bộ" (after "trên")."""
    label = scope_label(scope)
    return f"địa bàn {label}" if scope.kind == PROVINCE else label


def narrative(summary: Summary) -> list[Paragraph]:
    t = summary.total
    where = _where(summary.scope)
    placed = sum(1 for line in summary.provinces if line.key is not None and line.projects)
    text = (
        f"Giai đoạn {summary.period}, trên {where} đã triển khai {t.projects} đề án khuyến công"
        + (f" tại {placed} tỉnh, thành phố" if summary.scope.kind != PROVINCE else "")
        + f", với tổng kinh phí hỗ trợ được duyệt {format_vnd(t.support)} ({format_vnd_short(t.support)}); "
        f"{t.done} đề án đã nghiệm thu tại cơ sở, hỗ trợ {t.beneficiaries} lượt cơ sở công nghiệp nông thôn."
    )
    paragraphs = [Paragraph(text)]
    if summary.money:
        paragraphs.append(
            Paragraph(
                f"Dự toán được giao {format_vnd(t.allocated)}; đã giải ngân {format_vnd(t.disbursed)}, "
                f"đạt {t.disbursed_percent} dự toán được giao; đã quyết toán {format_vnd(t.settled)}"
                f" ({format_percent(t.settled, t.disbursed)} số đã giải ngân)."
            )
        )
        low = [
            line
            for line in summary.provinces
            if line.key is not None and line.allocated and line.disbursed * 2 < line.allocated
        ]
        if low and summary.scope.kind != PROVINCE:
            names = ", ".join(f"{line.label} ({line.disbursed_percent})" for line in low[:8])
            more = f" và {len(low) - 8} địa phương khác" if len(low) > 8 else ""
            paragraphs.append(Paragraph(f"Các địa phương giải ngân dưới 50% dự toán được giao: {names}{more}."))
    else:
        paragraphs.append(
            Paragraph("Số liệu kinh phí không thuộc phạm vi được xem của người lập báo cáo.", italic=True)
        )
    return paragraphs


def document(summary: Summary, *, date: dt.date, number: str = "", signer_name: str = "") -> OfficialDocument:
    issuer = summary.issuer
    blocks: list[Any] = [Heading("I. KẾT QUẢ CHUNG"), *narrative(summary)]
    blocks += [Heading("II. KẾT QUẢ THEO TỈNH, THÀNH PHỐ"), province_table(summary)]
    if summary.generation == LEGACY and summary.money:
        blocks.append(
            Paragraph(
                "Dự toán giao cho đơn vị không gắn với tỉnh, thành phố trước 01/7/2025 được tổng hợp ở dòng "
                f"“{UNASSIGNED}”.",
                italic=True,
            )
        )
    blocks += [Heading("III. KẾT QUẢ THEO NĂM KẾ HOẠCH"), year_table(summary)]
    if summary.programme is not None and summary.targets:
        blocks += [
            Heading("IV. THỰC HIỆN CÁC CHỈ TIÊU CỦA CHƯƠNG TRÌNH"),
            Paragraph(
                f"{summary.programme.name}"
                + (f" ({summary.programme.decision})" if summary.programme.decision_id else "")
                + ": kết quả được tính từ hồ sơ đề án trên hệ thống; chỉ tiêu mà hồ sơ chưa thống kê được "
                "(số máy móc, dây chuyền, số lao động được đào tạo…) được báo cáo riêng."
            ),
            target_table(summary),
        ]
    recipients = (
        [
            "Bộ trưởng (để báo cáo);",
            "Các Thứ trưởng (để biết);",
            "Sở Công Thương các tỉnh, thành phố;",
            f"Lưu: VT, {issuer.symbol}.",
        ]
        if issuer.national
        else [
            "Bộ Công Thương (Cục ĐMST, CĐX&KC);",
            f"{issuer.parent.title().replace('Ubnd', 'UBND')} (để báo cáo);",
            f"Lưu: VT, {issuer.symbol}.",
        ]
    )
    where = _where(summary.scope)
    return OfficialDocument(
        kind=KEY,
        issuer_parent=issuer.parent,
        issuer=issuer.name,
        number=number or f"      /BC-{issuer.symbol}",
        place=issuer.place,
        date=date,
        title="BÁO CÁO",
        subject=f"Tổng kết thực hiện Chương trình khuyến công giai đoạn {summary.period} trên {where}",
        blocks=blocks,
        recipients=recipients,
        signer_authority=issuer.signer_authority,
        signer_title=issuer.signer_title,
        signer_name=signer_name,
        filename=f"bao-cao-tong-ket-khuyen-cong-{summary.years[0]}-{summary.years[-1]}",
    )


def build(user, params: dict) -> OfficialDocument:
    """The summary for ``params`` (the cleaned data of ``ProgrammeSummaryForm``)."""
    scope = document_scope(user, params.get("scope"))
    programme = params.get("programme")
    low = params.get("from_year") or (programme.start_year if programme else None)
    high = params.get("to_year") or (programme.end_year if programme else None)
    if low is None or high is None or low > high:
        raise ActionRefused("invalid_period", _("Choose a programme or enter both years of the period."), status=422)
    years = list(range(int(low), int(high) + 1))
    generation = params.get("generation") or default_generation(years[-1])
    summary = summarise(user, scope=scope, years=years, generation=generation)
    if programme is not None and programme.level == Level.NATIONAL:
        summary.programme = programme
        summary.targets = dashboards.target_progress(user, scope=scope, programme=programme)
    if summary.total.projects == 0 and summary.total.empty:
        raise ActionRefused(
            "empty_period",
            _("Nothing to summarise: no project and no money in %(period)s within this scope.")
            % {"period": summary.period},
            status=422,
        )
    return document(
        summary,
        date=params.get("date") or timezone.localdate(),
        number=params.get("number") or "",
        signer_name=params.get("signer_name") or "",
    )


def by_province(summary: Summary) -> dict[str, Line]:
    """label -> line (tests and the bench read the figures back)."""
    return {line.label: line for line in summary.provinces}


KIND = DocumentKind(
    key=KEY,
    label=gettext_lazy("Programme summary over a period"),
    description=gettext_lazy(
        "Projects, support, allocation, disbursement and settlement by province and by year over a programme's "
        "period (the 34 provinces, or the 63 before 1/7/2025 for an earlier period), and the programme's targets "
        "against what the records show."
    ),
    build=build,
    form_class=ProgrammeSummaryForm,
    scope=log_scope,
)


__all__ = ["KEY", "KIND", "ProgrammeSummaryForm", "Summary", "build", "default_generation", "document", "summarise"]
