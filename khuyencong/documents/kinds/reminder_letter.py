"""The reminder letter (công văn đôn đốc) to the units that are late (DOMAIN.md §9–§10: the 2019
and 2020 letters asking provinces to report on time, sign their contracts and settle).

Two senders: the Agency writes to the provinces' Departments of Industry and Trade (and to a
regional centre for its own work) about the whole country or a region; a Department writes to
the implementing units of its province. What each addressee is late with, on the day ``as_of``:

* periodic reports due and not sent, or returned and not sent again
  (``reporting.services.completeness``; the national forms for the Agency, the local forms for a
  Department, or the one form chosen);
* overdue steps of projects (``projects.deadlines.overdue_q`` and the due items behind it), only
  the steps the addressees must take (the implementer's, the Department's, the province's; never
  the sender's own);
* contracts accepted at the facility and still not liquidated past the rulebook's liquidation
  deadline (``finance.settlement``);
* open inspection follow-ups past their due date (``inspections``).

Every source is read within the sender's reach and the chosen scope, so a Department names only
its own province's units. Nobody late is refused with ``empty_period``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from khuyencong.dashboards.scope import NATIONAL, PROVINCE, DashboardScope
from khuyencong.documents.forms import DATE, DATES, DocumentForm
from khuyencong.documents.issuer import (
    Issuer,
    clean_scope_field,
    document_scope,
    issuer_for,
    log_scope,
    scope_choices_for,
)
from khuyencong.documents.model import Cell, OfficialDocument, Paragraph, Table
from khuyencong.documents.registry import DocumentKind
from khuyencong.finance import settlement
from khuyencong.inspections.models import FollowUp, FollowUpStatus
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.kernel.scoping import Action, restrict, user_scope
from khuyencong.organisation.models import OrgUnit
from khuyencong.projects import deadlines
from khuyencong.projects.models import Project
from khuyencong.reporting.models import Report, ReportForm
from khuyencong.reporting.services import MISSING, RETURNED, completeness
from khuyencong.rulebook.models import Level

KEY = "reminder_letter"
REPORTS, STEPS, LIQUIDATIONS, FOLLOW_UPS = "reports", "steps", "liquidations", "follow_ups"
CATEGORIES = (REPORTS, STEPS, LIQUIDATIONS, FOLLOW_UPS)
CATEGORY_COLUMNS = {
    REPORTS: "Báo cáo định kỳ chưa gửi",
    STEPS: "Bước đề án quá hạn",
    LIQUIDATIONS: "Hợp đồng chưa thanh lý, quyết toán",
    FOLLOW_UPS: "Kiến nghị sau kiểm tra quá hạn",
}
# Whose overdue steps a letter reminds: never the sender's own (the Agency's appraisal, approval,
# contract and settlement steps; a Department's own appraisal).
NATIONAL_ACTORS = frozenset({deadlines.IMPLEMENTER, deadlines.DEPARTMENT, deadlines.PROVINCE_APPROVER})
PROVINCE_ACTORS = frozenset({deadlines.IMPLEMENTER})
# The liquidation row already says it: the settlement steps of the same project are not listed again.
LIQUIDATION_STEPS = frozenset({"submit_settlement", "settle", "settle_local"})
CENTRAL_KINDS = frozenset({OrgUnit.Kind.REGIONAL_CENTRE})
OWN_KINDS = frozenset({OrgUnit.Kind.MINISTRY, OrgUnit.Kind.AGENCY})
DETAIL_LIMIT = 300
ADDRESSEE_LINES = 8
DEFAULT_GRACE_DAYS = 15
FIELD_ORDER = ["scope", "as_of", "report_form", "year", "period_start", "include", "deadline"]


# --- the form ------------------------------------------------------------------------------------


class ReminderLetterForm(DocumentForm):
    scope = forms.ChoiceField(label=gettext_lazy("Scope"), required=False)
    as_of = forms.DateField(label=gettext_lazy("Late as of"), required=False, widget=DATE, input_formats=DATES)
    report_form = forms.ModelChoiceField(
        label=gettext_lazy("Report form"),
        queryset=ReportForm.objects.filter(is_active=True).order_by("code"),
        required=False,
        help_text=gettext_lazy("Empty: every form sent to the letter's sender."),
    )
    year = forms.IntegerField(
        label=gettext_lazy("Reporting year"),
        min_value=2000,
        max_value=2100,
        required=False,
        help_text=gettext_lazy("Empty: this year and the year before."),
    )
    period_start = forms.DateField(
        label=gettext_lazy("Only the period starting on"),
        required=False,
        help_text=gettext_lazy("e.g. 01/04/2026"),
        widget=DATE,
        input_formats=DATES,
    )
    # One choice (not a multiple select): the form is posted again, as single values, when the
    # generation job rebuilds the document.
    include = forms.ChoiceField(
        label=gettext_lazy("Remind of"),
        required=False,
        choices=[
            ("", gettext_lazy("Everything that is late")),
            (REPORTS, gettext_lazy("Periodic reports")),
            (STEPS, gettext_lazy("Overdue project steps")),
            (LIQUIDATIONS, gettext_lazy("Liquidation and settlement")),
            (FOLLOW_UPS, gettext_lazy("Inspection follow-ups")),
        ],
    )
    deadline = forms.DateField(
        label=gettext_lazy("Deadline to comply"), required=False, widget=DATE, input_formats=DATES
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        scope_field = self.fields["scope"]
        assert isinstance(scope_field, forms.ChoiceField)
        scope_field.choices = scope_choices_for(user) if user is not None else [(NATIONAL, _("Whole country"))]
        if scope_field.choices and not self.is_bound:
            self.initial.setdefault("scope", scope_field.choices[0][0])
        self.order_fields(FIELD_ORDER)

    def clean_scope(self):
        return clean_scope_field(self.user, self.cleaned_data.get("scope") or "")

    def clean(self):
        data = super().clean() or {}
        as_of = data.get("as_of") or timezone.localdate()
        deadline = data.get("deadline")
        if deadline is not None and deadline <= as_of:
            self.add_error("deadline", _("The deadline must come after the day the letter counts from."))
        return data


# --- what is late --------------------------------------------------------------------------------


@dataclass
class Addressee:
    key: tuple
    name: str  # "Sở Công Thương tỉnh Hà Tĩnh"
    order: tuple


@dataclass
class LateItem:
    addressee: Addressee
    category: str
    what: str
    unit: str  # who must act
    due: dt.date | None
    as_of: dt.date
    project_id: int | None = None

    @property
    def days_late(self) -> int:
        return (self.as_of - self.due).days if self.due else 0


@dataclass
class Lateness:
    scope: DashboardScope
    issuer: Issuer
    as_of: dt.date
    items: list[LateItem]

    def addressees(self) -> list[Addressee]:
        found: dict[tuple, Addressee] = {}
        for item in self.items:
            found.setdefault(item.addressee.key, item.addressee)
        return sorted(found.values(), key=lambda a: a.order)

    def counts(self) -> dict[tuple, dict[str, int]]:
        out: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(CATEGORIES, 0))
        for item in self.items:
            out[item.addressee.key][item.category] += 1
        return out

    def total(self, category: str) -> int:
        return sum(1 for item in self.items if item.category == category)


class Resolver:
    """Who a late unit's reminder is addressed to: for the Agency, the Department of the unit's
    province (a regional centre is written to itself); for a Department, the unit itself. None
    for the sender's own work (the Agency's, or the Department's own)."""

    def __init__(self, scope: DashboardScope, issuer: Issuer):
        self.national = scope.kind != PROVINCE
        self.issuer = issuer
        self.departments = dict(
            OrgUnit.objects.filter(kind=OrgUnit.Kind.DOIT, is_active=True)
            .order_by("code")
            .values_list("province_id", "name")
        )

    def __call__(self, unit: OrgUnit | None, province) -> Addressee | None:
        if unit is not None and unit.kind in OWN_KINDS:
            return None
        if self.national:
            if unit is not None and unit.kind in CENTRAL_KINDS:
                return Addressee(("unit", unit.pk), unit.name, (1, unit.code))
            if province is None:
                return None
            name = self.departments.get(province.pk) or f"Sở Công Thương {province.name[:1].lower()}{province.name[1:]}"
            return Addressee(("province", province.pk), name, (0, province.code))
        if unit is None or unit.kind == OrgUnit.Kind.DOIT:
            return None
        return Addressee(("unit", unit.pk), unit.name, (0, unit.path))


def _in_scope(scope: DashboardScope, province) -> bool:
    return scope.kind == NATIONAL or (province is not None and province.pk in scope.province_ids)


def _current(province):
    if province is not None and province.valid_to is not None and province.successor_id:
        return province.successor
    return province


def late_reports(user, scope, resolve, *, as_of, form=None, years=(), period_start=None) -> list[LateItem]:
    if form is not None:
        forms_ = [form]
    else:
        level = Level.LOCAL if scope.kind == PROVINCE else Level.NATIONAL
        forms_ = list(ReportForm.objects.filter(is_active=True, level=level).order_by("code"))
    reach = user_scope(user, Action.VIEW, Report)
    if reach.is_empty:
        return []
    items = []
    for report_form in forms_:
        for year in years:
            matrix = completeness(report_form, year, scope=reach, today=as_of)
            for row in matrix.rows:
                if not _in_scope(scope, row.province):
                    continue
                addressee = resolve(row.unit, row.province)
                if addressee is None:
                    continue
                for period, cell in zip(matrix.periods, row.cells, strict=True):
                    if cell is None or cell.status not in (MISSING, RETURNED) or cell.due_on >= as_of:
                        continue
                    if period_start is not None and period.start != period_start:
                        continue
                    returned = " (bị trả lại, chưa gửi lại)" if cell.status == RETURNED else ""
                    items.append(
                        LateItem(
                            addressee,
                            REPORTS,
                            f"{report_form.name}, {period.label}{returned}",
                            row.unit.name,
                            cell.due_on,
                            as_of,
                        )
                    )
    return items


def late_steps(user, scope, resolve, *, as_of, skip_projects=frozenset()) -> list[LateItem]:
    actors = NATIONAL_ACTORS if scope.kind != PROVINCE else PROVINCE_ACTORS
    book = deadlines.RuleBook()
    rows = (
        restrict(Project.objects.all(), user, Action.VIEW)
        .filter(scope.project_q())
        .filter(deadlines.overdue_q(today=as_of, book=book))
        .select_related("province", "implementing_unit")
        .order_by("province__code", "year", "code")
    )
    projects = list(rows)
    deadlines.attach_due(projects, today=as_of, book=book, overdue=True)
    items = []
    for project in projects:
        for due in project.due:
            if due.actor not in actors or (due.key in LIQUIDATION_STEPS and project.pk in skip_projects):
                continue
            unit = project.implementing_unit if due.actor == deadlines.IMPLEMENTER else None
            addressee = resolve(unit, project.province) if unit is not None else _department(resolve, project)
            if addressee is None:
                continue
            items.append(
                LateItem(
                    addressee,
                    STEPS,
                    f"{due.label}: đề án {project.code} – {project.name}",
                    due.actor_unit,
                    due.due_date,
                    as_of,
                    project.pk,
                )
            )
    return items


def _department(resolve: Resolver, project: Project) -> Addressee | None:
    """A step of the Department (or the province) goes to that province's Department."""
    if not resolve.national or project.province is None:
        return None
    return resolve(None, project.province)


def late_liquidations(user, scope, resolve, *, as_of) -> list[LateItem]:
    book = deadlines.RuleBook()
    rows = (
        settlement.liquidations_pending(user)
        .filter(scope.project_q())
        .filter(settlement.overdue_liquidation_q(today=as_of, book=book))
        .select_related("province", "implementing_unit")
        .order_by("province__code", "year", "code")
    )
    items = []
    for project in rows:
        addressee = resolve(project.implementing_unit, project.province)
        if addressee is None:
            continue
        due = settlement.liquidation_due(project, book=book)
        items.append(
            LateItem(
                addressee,
                LIQUIDATIONS,
                f"Thanh lý hợp đồng, quyết toán đề án {project.code} – {project.name}",
                project.implementing_unit.name,
                due,
                as_of,
                project.pk,
            )
        )
    return items


def late_follow_ups(user, scope, resolve, *, as_of) -> list[LateItem]:
    rows = restrict(FollowUp.objects.all(), user, Action.VIEW).filter(status=FollowUpStatus.OPEN, due_date__lt=as_of)
    if scope.kind != NATIONAL:
        ids = sorted(scope.province_ids)
        rows = rows.filter(Q(finding__province__in=ids) | Q(finding__province__successor__in=ids))
    rows = rows.select_related("responsible_unit", "finding__province__successor", "finding__mission").order_by(
        "due_date", "pk"
    )
    items = []
    for follow_up in rows:
        province = _current(follow_up.finding.province)
        addressee = resolve(follow_up.responsible_unit, province)
        if addressee is None:
            continue
        what = f"Khắc phục kiến nghị của {follow_up.finding.mission.name}: {follow_up.action}"
        items.append(LateItem(addressee, FOLLOW_UPS, what, follow_up.responsible_unit.name, follow_up.due_date, as_of))
    return items


def lateness(
    user, *, scope: DashboardScope, as_of: dt.date, include=CATEGORIES, form=None, years=(), period_start=None
) -> Lateness:
    issuer = issuer_for(scope)
    resolve = Resolver(scope, issuer)
    items: list[LateItem] = []
    if REPORTS in include:
        items += late_reports(user, scope, resolve, as_of=as_of, form=form, years=years, period_start=period_start)
    liquidations = late_liquidations(user, scope, resolve, as_of=as_of) if LIQUIDATIONS in include else []
    if STEPS in include:
        skip = frozenset(item.project_id for item in liquidations if item.project_id)
        items += late_steps(user, scope, resolve, as_of=as_of, skip_projects=skip)
    items += liquidations
    if FOLLOW_UPS in include:
        items += late_follow_ups(user, scope, resolve, as_of=as_of)
    order = {category: index for index, category in enumerate(CATEGORIES)}
    items.sort(key=lambda i: (i.addressee.order, order[i.category], i.due or dt.date.min, i.what))
    return Lateness(scope=scope, issuer=issuer, as_of=as_of, items=items)


# --- the letter ----------------------------------------------------------------------------------


def _date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def summary_table(late: Lateness) -> Table:
    counts = late.counts()
    rows: list[list[Cell]] = []
    for number, addressee in enumerate(late.addressees(), 1):
        figures = counts[addressee.key]
        rows.append([str(number), addressee.name, *(figures[c] for c in CATEGORIES), sum(figures.values())])
    totals = [late.total(c) for c in CATEGORIES]
    return Table(
        title="Bảng 1. Tổng hợp các việc chậm theo đơn vị",
        columns=["STT", "Đơn vị", *(CATEGORY_COLUMNS[c] for c in CATEGORIES), "Tổng số việc"],
        rows=rows,
        total=["", "Tổng cộng", *totals, sum(totals)],
        numeric=frozenset(range(2, 3 + len(CATEGORIES))),
        widths=[0.5, 3.0, 1.1, 1.1, 1.1, 1.1, 0.9],
        sheet="Tổng hợp",
    )


def detail_table(late: Lateness) -> Table:
    rows: list[list[Cell]] = []
    for number, item in enumerate(late.items[:DETAIL_LIMIT], 1):
        rows.append([str(number), item.addressee.name, item.what, item.unit, _date(item.due), item.days_late])
    return Table(
        title="Bảng 2. Danh mục các việc chậm",
        columns=["STT", "Đơn vị nhận", "Việc chậm", "Đơn vị phải thực hiện", "Hạn", "Số ngày quá hạn"],
        rows=rows,
        numeric=frozenset({5}),
        widths=[0.8, 2.0, 4.4, 2.0, 1.6, 1.0],
        sheet="Danh mục",
    )


SUBJECT_PARTS = {
    REPORTS: "gửi báo cáo định kỳ",
    STEPS: "bảo đảm tiến độ thực hiện đề án",
    LIQUIDATIONS: "thanh lý hợp đồng, quyết toán kinh phí",
    FOLLOW_UPS: "khắc phục kiến nghị sau kiểm tra",
}
REQUESTS = {
    REPORTS: "Gửi ngay các báo cáo định kỳ còn thiếu (kể cả báo cáo bị trả lại) trên Hệ thống quản lý khuyến công.",
    STEPS: "Khẩn trương hoàn thành các bước thực hiện đề án đã quá hạn; đề án gặp khó khăn do thiên tai, dịch "
    "bệnh đề xuất điều chỉnh theo quy định.",
    LIQUIDATIONS: "Hoàn thiện hồ sơ nghiệm thu, thanh lý hợp đồng và quyết toán kinh phí các đề án đã nghiệm thu.",
    FOLLOW_UPS: "Khắc phục các tồn tại theo kiến nghị của đoàn kiểm tra và báo cáo kết quả khắc phục.",
}


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " và " + parts[-1]


def letter(
    late: Lateness, *, deadline: dt.date, date: dt.date, number: str = "", signer_name: str = ""
) -> OfficialDocument:
    issuer = late.issuer
    present = [c for c in CATEGORIES if late.total(c)]
    addressees = late.addressees()
    national = issuer.national
    kind_of = "Sở Công Thương các tỉnh, thành phố và các đơn vị" if national else "các đơn vị"
    if len(addressees) <= ADDRESSEE_LINES:
        to_lines = [a.name for a in addressees]
    else:  # the renderers add the "- …;" and the final "."
        to_lines = [f"{kind_of[:1].upper()}{kind_of[1:]} có tên tại Bảng 1 kèm theo"]
    only_departments = all(a.key[0] == "province" for a in addressees)
    you = ("Quý Sở" if only_departments else "Quý cơ quan, đơn vị") if national else "Quý đơn vị"
    sender = "Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công" if national else "Sở Công Thương"
    counts = "; ".join(f"{late.total(c)} {CATEGORY_COLUMNS[c][:1].lower()}{CATEGORY_COLUMNS[c][1:]}" for c in present)
    blocks: list[Any] = [
        Paragraph(
            "Thực hiện nhiệm vụ quản lý nhà nước về khuyến công theo Nghị định số 45/2012/NĐ-CP của Chính phủ "
            "(sửa đổi, bổ sung tại Nghị định số 235/2025/NĐ-CP), qua theo dõi trên Hệ thống quản lý khuyến công, "
            f"tính đến ngày {_date(late.as_of)}, {len(addressees)} đơn vị còn chậm {len(late.items)} việc: {counts}."
        ),
        summary_table(late),
    ]
    if len(late.items) > DETAIL_LIMIT:
        blocks.append(
            Paragraph(
                f"Bảng 2 liệt kê {DETAIL_LIMIT} việc quá hạn lâu nhất của mỗi nhóm theo thứ tự; danh sách đầy đủ "
                "xem trên Hệ thống quản lý khuyến công.",
                italic=True,
            )
        )
    blocks.append(detail_table(late))
    blocks.append(
        Paragraph(
            f"Để bảo đảm tiến độ thực hiện kế hoạch khuyến công, {sender} đề nghị {you}"
            + (" chỉ đạo, đôn đốc các đơn vị thực hiện trên địa bàn:" if national else ":")
        )
    )
    for position, category in enumerate(present, 1):
        blocks.append(Paragraph(f"{position}. {REQUESTS[category]}"))
    blocks.append(
        Paragraph(
            f"Kết quả thực hiện gửi về {sender} trước ngày {_date(deadline)}. Việc gửi báo cáo đúng hạn và hoàn "
            "thành nhiệm vụ đúng tiến độ là căn cứ đánh giá, xét khen thưởng hằng năm; quá thời hạn trên, "
            f"{sender} sẽ tổng hợp, báo cáo {'Lãnh đạo Bộ' if national else 'Ủy ban nhân dân tỉnh'} xem xét."
        )
    )
    blocks.append(Paragraph(f"{sender} đề nghị {you} quan tâm thực hiện./."))
    recipients = ["Như trên;"]
    if national:
        recipients.append("Thứ trưởng phụ trách (để báo cáo);")
    recipients += [f"{issuer.head} (để báo cáo);", f"Lưu: VT, {issuer.symbol}."]
    return OfficialDocument(
        kind=KEY,
        issuer_parent=issuer.parent,
        issuer=issuer.name,
        number=number or f"      /{issuer.symbol}-KC",
        place=issuer.place,
        date=date,
        title="",
        subject="đôn đốc " + _join([SUBJECT_PARTS[c] for c in present]),
        addressees=to_lines,
        blocks=blocks,
        recipients=recipients,
        signer_authority=issuer.signer_authority,
        signer_title=issuer.signer_title,
        signer_name=signer_name,
        filename=f"cong-van-don-doc-{late.as_of:%Y-%m-%d}",
    )


def build(user, params: dict) -> OfficialDocument:
    """The reminder letter for ``params`` (the cleaned data of ``ReminderLetterForm``)."""
    scope = document_scope(user, params.get("scope"))
    as_of = params.get("as_of") or timezone.localdate()
    year = params.get("year")
    years = [int(year)] if year else [as_of.year - 1, as_of.year]
    chosen = params.get("include") or ()
    include = (chosen,) if isinstance(chosen, str) else tuple(chosen) or CATEGORIES
    with translation.override("vi"):  # the due items' labels: the letter is Vietnamese whoever reads the page
        late = lateness(
            user,
            scope=scope,
            as_of=as_of,
            include=include,
            form=params.get("report_form"),
            years=years,
            period_start=params.get("period_start"),
        )
    if not late.items:
        raise ActionRefused(
            "empty_period",
            _("Nobody is late on %(date)s within this scope: there is nothing to remind.")
            % {"date": as_of.strftime("%d/%m/%Y")},
            status=422,
        )
    deadline = params.get("deadline") or as_of + dt.timedelta(days=DEFAULT_GRACE_DAYS)
    return letter(
        late,
        deadline=deadline,
        date=params.get("date") or timezone.localdate(),
        number=params.get("number") or "",
        signer_name=params.get("signer_name") or "",
    )


KIND = DocumentKind(
    key=KEY,
    label=gettext_lazy("Reminder letter to the units that are late"),
    description=gettext_lazy(
        "An official letter to the Departments (from the Agency) or to a province's implementing units (from its "
        "Department) listing the periodic reports not sent, the overdue project steps, the contracts not "
        "liquidated and the inspection follow-ups past due, with a deadline to comply."
    ),
    build=build,
    form_class=ReminderLetterForm,
    scope=log_scope,
)


__all__ = ["KEY", "KIND", "Lateness", "ReminderLetterForm", "build", "lateness", "letter"]
