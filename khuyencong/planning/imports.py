"""The lines of a plan version from the Excel workbook officials keep, and back to it.

One row per line, numbered as in an official plan: a Roman numeral ("I", "II") is a group, "1"
sits under the nearest group above, "1.1" under the row "1" above it (missing: the row is
rejected). The activity content is given by its code ("2012-03") or its name; amounts as
2.080.000.000, 2,08 tỷ or 150 triệu, never negative. A file replaces every line of a draft, and
only a file without a rejected row can be written (a plan is all its lines, or none of them).
``export_workbook`` writes a version in the same columns, so an export imports back unchanged.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import xlsxwriter
from django.utils import translation
from django.utils.translation import gettext as _

from khuyencong import tabular
from khuyencong.kernel.lifecycle import ActionRefused, Invalid
from khuyencong.kernel.sheets import xlsx_options
from khuyencong.planning import actions, services
from khuyencong.planning.models import Disruption, FundingSource, PlanLine, PlanVersion
from khuyencong.tabular import cells
from khuyencong.tabular.columns import ERROR_HEADER, ROW_HEADER
from khuyencong.territory.models import Province

ROMAN = re.compile(r"^[IVXLC]+$")
SOURCE_ALIASES = {"nstw": "central", "ngan sach tw": "central", "nsdp": "local", "ngan sach dp": "local",
                  "doi ung": "counterpart", "khac": "other"}  # fmt: skip


def _sources() -> dict[str, str]:
    return cells.choice_table(FundingSource.choices, SOURCE_ALIASES)


def _disruptions() -> dict[str, str]:
    table = cells.choice_table([c for c in Disruption.choices if c[0]], {"dich": "epidemic", "covid": "epidemic"})
    table[cells.key("Không")] = ""
    return table


def _number(raw, column) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    text = cells.normalize(str(raw)).rstrip(".")
    if len(text) > 20:
        raise cells.Invalid(_("%(column)s: “%(value)s” is too long.") % {"column": column.header, "value": text})
    return text


def _quantity(raw, column) -> Decimal:
    try:
        value = Decimal(str(raw).replace(" ", "").replace(",", ".")) if not isinstance(raw, float) else Decimal(raw)
    except ArithmeticError:
        raise cells.Invalid(
            _("%(column)s: “%(value)s” is not a number.") % {"column": column.header, "value": raw}
        ) from None
    if value < 0 or value >= 10**12:
        raise cells.Invalid(_("%(column)s cannot be negative (“%(value)s”).") % {"column": column.header, "value": raw})
    return value.quantize(Decimal("0.01"))


COLUMNS = (
    tabular.Column("TT", "number", False, _number, aliases=("STT", "Số TT", "Số thứ tự"), example="I", as_text=True,
                   guide="I, II… for a group; 1, 2… under the group above; 1.1 under the row 1 above."),
    tabular.Column("Nội dung", "name", True, cells.text(500), aliases=("Tên nội dung", "Nội dung kế hoạch"),
                   example="Đào tạo nghề mây tre đan"),
    tabular.Column("Nội dung khuyến công", "content", False, cells.text(300),
                   aliases=("Mã nội dung", "Nội dung hoạt động"), example="2012-01",
                   guide="The code of the activity content (2012-01) or its name."),
    tabular.Column("Nguồn kinh phí", "funding_source", False,
                   cells.choice(_sources, lambda: cells.vietnamese_labels(FundingSource.choices)),
                   example="Ngân sách địa phương", values="sources"),
    tabular.Column("Kinh phí (đồng)", "amount", False, cells.amount(), aliases=("Kinh phí", "Số tiền"),
                   example=180_000_000, guide="2.080.000.000, 2,08 tỷ or 150 triệu; a group row shows its sum."),
    tabular.Column("Số lượng", "target_quantity", False, _quantity, example=60),
    tabular.Column("Đơn vị tính", "target_unit", False, cells.text(60), aliases=("ĐVT",), example="học viên"),
    tabular.Column("Ảnh hưởng", "disruption", False,
                   cells.choice(_disruptions, lambda: ["Không", *cells.vietnamese_labels(Disruption.choices[1:])]),
                   values="disruptions"),
    tabular.Column("Sự kiện", "disruption_event", False, cells.text(200)),
    tabular.Column("Mức độ ảnh hưởng", "disruption_note", False, cells.text(2000)),
    tabular.Column("Mã tỉnh", "province", False, cells.province_code, as_text=True),
)  # fmt: skip

SPEC = tabular.TableSpec(
    title="Kế hoạch",
    columns=COLUMNS,
    choice_lists={
        "sources": ("Nguồn kinh phí", lambda: cells.vietnamese_labels(FundingSource.choices)),
        "disruptions": ("Ảnh hưởng", lambda: ["Không", *cells.vietnamese_labels(Disruption.choices[1:])]),
    },
    ignored_headers=(ROW_HEADER, ERROR_HEADER, "Ghi chú"),
)


class PlanLineImport(tabular.BaseImport):
    """Rows of one draft version; ``begin`` refuses a user who may not edit it."""

    spec = SPEC

    def __init__(self, version: PlanVersion):
        self.version = version

    def begin(self, user, header, *, write: bool) -> None:
        super().begin(user, header, write=write)
        try:
            actions.check_draft_editable(user=user, version=self.version)
        except ActionRefused as exc:
            raise tabular.ImportFileError(exc.message) from None
        contents = actions.contents_for_year(self.version.plan.year)
        self.contents = {cells.key(c.code): c for c in contents}
        self.contents.update({cells.key(c.name): c for c in contents})
        self.provinces = {p.code: p for p in Province.objects.all().order_by("valid_to")}
        self.by_number: dict[str, tabular.ParsedRow] = {}
        self.group: tabular.ParsedRow | None = None
        self.written: dict[int, PlanLine] = {}
        self.first_batch = True

    def check(self, row) -> None:
        values = row.values
        number = values.get("number", "")
        if ROMAN.match(number):
            self.group = row
        elif "." in number:
            parent_number = number.rsplit(".", 1)[0]
            row.parent = self.by_number.get(parent_number)
            if row.parent is None:
                row.errors.append(_("TT %(number)s: no row %(parent)s above it to belong to.")
                                  % {"number": number, "parent": parent_number})  # fmt: skip
        elif number and self.group is not None:
            row.parent = self.group
        if number:
            self.by_number.setdefault(number, row)
        if "content" in values:
            content = self.contents.get(cells.key(values["content"]))
            if content is None:
                message = _("Nội dung khuyến công: “%(value)s” is not an activity content in force in %(year)s.")
                row.errors.append(message % {"value": values["content"], "year": self.version.plan.year})
            row.resolved["content"] = content
        if "province" in values:
            province = self.provinces.get(values["province"])
            if province is None:
                row.errors.append(_("Mã tỉnh: no province has the code %(code)s.") % {"code": values["province"]})
            row.resolved["province"] = province
        if values.get("disruption") and not values.get("disruption_event"):
            row.errors.append(_("Sự kiện: name the disaster or epidemic."))

    def _line(self, row) -> dict:
        kept = ("number", "name", "amount", "target_quantity", "target_unit", "disruption_event", "disruption_note")
        values = {name: row.values[name] for name in kept if name in row.values}
        values["funding_source"] = row.values.get("funding_source") or (
            FundingSource.LOCAL if self.version.plan.level == "local" else FundingSource.CENTRAL
        )
        values["disruption"] = row.values.get("disruption", "")
        values.setdefault("amount", 0)
        for name in ("content", "province"):
            if row.resolved.get(name) is not None:
                values[name] = row.resolved[name]
        return values

    def apply(self, rows, *, write: bool) -> None:
        inputs: list[actions.LineInput] = []
        index = {id(row): i for i, row in enumerate(rows)}
        for row in rows:
            parent = None
            if row.parent is not None:
                parent = index.get(id(row.parent), self.written.get(id(row.parent)))
            inputs.append(actions.LineInput(self._line(row), parent=parent))
        try:
            if write:
                created = actions.replace_plan_lines(user=self.user, version=self.version, lines=inputs,
                                                     append=not self.first_batch)  # fmt: skip
                self.first_batch = False
                for row, line in zip(rows, created, strict=True):
                    self.written[id(row)] = line
            else:
                actions.check_plan_lines(version=self.version, lines=inputs)
        except Invalid as exc:
            for field, message in exc.errors.items():
                _lines, number, _field = (field.split(".") + ["", ""])[:3]
                if number.isdigit() and int(number) < len(rows):
                    rows[int(number)].errors.append(message)
        for row in rows:
            if not row.errors:
                row.outcome = "new"


def export_workbook(version: PlanVersion) -> bytes:
    """The lines of ``version`` in the import's columns and Vietnamese headers."""
    rows = services.line_rows(services.plan_lines(version))
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, xlsx_options(in_memory=True))
    sheet = book.add_worksheet(SPEC.title)
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0"})
    group_money = book.add_format({"num_format": "#,##0", "bold": True})
    with translation.override("vi"):
        sheet.write_row(0, 0, [c.header for c in COLUMNS], bold)
        for r, row in enumerate(rows, start=1):
            line = row.line
            cells_out = [
                line.number, line.name, line.content.code if line.content_id else "",
                line.get_funding_source_display() if row.leaf else "", row.amount,
                float(line.target_quantity) if line.target_quantity is not None else "", line.target_unit,
                line.get_disruption_display() if line.disruption else "", line.disruption_event,
                line.disruption_note, line.province.code if line.province_id else "",
            ]  # fmt: skip
            for c, value in enumerate(cells_out):
                if c == 4:
                    sheet.write_number(r, c, value, money if row.leaf else group_money)
                elif value == "":
                    continue
                else:
                    sheet.write(r, c, value, bold if not row.leaf and c < 2 else None)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 60)
    sheet.set_column(2, 3, 22)
    sheet.set_column(4, 4, 18)
    book.close()
    return out.getvalue()


def template() -> bytes:
    return tabular.template_workbook(SPEC)
