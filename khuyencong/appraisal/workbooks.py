"""The consolidated lists as the Excel workbooks the Agency expects.

``province_workbook``: a Department's list of the projects its councils passed in a year (the
"Form 2": STT, project, implementing unit, beneficiaries, location, content, total cost, support
requested, counterpart, council average, note) under title rows naming the province and year.
``national_workbook``: the Agency's consolidated list of the national projects passed by the
provinces' councils, grouped by province with a subtotal per province and a grand total.
Amounts are whole đồng with thousands separators.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from khuyencong.appraisal.models import CouncilProject
from khuyencong.kernel.sheets import xlsx_options

AMOUNT_FORMAT = '#,##0" đ"'


def headers() -> list[str]:
    return [
        pgettext("list column", "No."), _("Project name"), _("Implementing unit"), _("Beneficiaries"),
        _("Location"), _("Content"), _("Total cost (đồng)"), _("Support requested (đồng)"), _("Counterpart (đồng)"),
        _("Council average"), _("Note"),
    ]  # fmt: skip


def _beneficiaries(project) -> str:
    names = [line.establishment.name for line in project.beneficiaries.all()]
    return "; ".join(names)


def _location(project) -> str:
    parts = [project.location or "", project.commune.name if project.commune_id else ""]
    parts.append(project.province.name if project.province_id else "")
    return ", ".join(p for p in parts if p)


def _row(number: int, review: CouncilProject) -> list:
    project = review.project
    return [
        number, project.name, project.implementing_unit.name, _beneficiaries(project), _location(project),
        project.content.name if project.content_id else "", project.total_cost, project.support_amount,
        project.counterpart_amount, float(review.average) if review.average is not None else None,
        review.conclusion_comment,
    ]  # fmt: skip


class _Book:
    def __init__(self, sheet_name: str):
        import xlsxwriter

        self.handle = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.handle, xlsx_options(in_memory=True))
        self.sheet = self.book.add_worksheet(sheet_name[:31])
        self.title = self.book.add_format({"bold": True, "font_size": 14, "align": "center"})
        self.subtitle = self.book.add_format({"italic": True, "align": "center"})
        self.head = self.book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                          "valign": "vcenter", "align": "center"})  # fmt: skip
        self.text = self.book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
        self.money = self.book.add_format({"border": 1, "num_format": AMOUNT_FORMAT, "valign": "top"})
        self.score = self.book.add_format({"border": 1, "num_format": "0.00", "valign": "top"})
        self.bold_text = self.book.add_format({"border": 1, "bold": True})
        self.bold_money = self.book.add_format({"border": 1, "bold": True, "num_format": AMOUNT_FORMAT})
        for column, width in enumerate([6, 40, 28, 36, 28, 28, 18, 18, 18, 10, 30]):
            self.sheet.set_column(column, column, width)
        self.row = 0

    def titles(self, lines: Iterable[tuple[str, bool]]) -> None:
        for text, main in lines:
            self.sheet.merge_range(self.row, 0, self.row, 10, text, self.title if main else self.subtitle)
            self.row += 1
        self.row += 1

    def header(self) -> None:
        self.sheet.write_row(self.row, 0, headers(), self.head)
        self.sheet.freeze_panes(self.row + 1, 0)
        self.row += 1

    def line(self, values: list) -> None:
        for column, value in enumerate(values):
            fmt = self.money if column in (6, 7, 8) else self.score if column == 9 else self.text
            if value is None:
                self.sheet.write_blank(self.row, column, None, fmt)
            elif isinstance(value, str):
                self.sheet.write_string(self.row, column, value, fmt)  # text stays text, never a formula
            else:
                self.sheet.write_number(self.row, column, value, fmt)
        self.row += 1

    def total(self, label: str, sums: tuple[int, int, int]) -> None:
        self.sheet.write_blank(self.row, 0, None, self.bold_text)
        self.sheet.merge_range(self.row, 1, self.row, 5, label, self.bold_text)
        for offset, value in enumerate(sums):
            self.sheet.write_number(self.row, 6 + offset, value, self.bold_money)
        self.sheet.write_blank(self.row, 9, None, self.bold_text)
        self.sheet.write_blank(self.row, 10, None, self.bold_text)
        self.row += 1

    def close(self) -> bytes:
        self.book.close()
        return self.handle.getvalue()


def _sums(reviews: list[CouncilProject]) -> tuple[int, int, int]:
    return (
        sum(r.project.total_cost for r in reviews),
        sum(r.project.support_amount for r in reviews),
        sum(r.project.counterpart_amount for r in reviews),
    )


def province_workbook(reviews: list[CouncilProject], *, province, year: int) -> bytes:
    book = _Book(_("Form 2"))
    book.titles(
        [
            (_("DEPARTMENT OF INDUSTRY AND TRADE OF %(province)s") % {"province": province.name.upper()}, False),
            (
                _("LIST OF PROJECTS PASSING THE APPRAISAL FOR THE %(year)s NATIONAL AND LOCAL KHUYẾN CÔNG PLAN")
                % {"year": year},
                True,
            ),
            (_("(appraised by the Department's councils of %(province)s)") % {"province": province.name}, False),
        ]
    )
    book.header()
    for number, review in enumerate(reviews, 1):
        book.line(_row(number, review))
    book.total(_("Total"), _sums(reviews))
    return book.close()


def national_workbook(reviews: list[CouncilProject], *, year: int) -> bytes:
    book = _Book(_("National list"))
    book.titles(
        [
            (_("AGENCY OF INDUSTRIAL AND TRADE PROMOTION"), False),
            (
                _("CONSOLIDATED LIST OF NATIONAL KHUYẾN CÔNG PROJECTS PASSING THE PROVINCES' APPRAISAL, %(year)s")
                % {"year": year},
                True,
            ),
        ]
    )
    book.header()
    groups: dict[int, list[CouncilProject]] = {}
    provinces = {}
    for review in reviews:
        province = review.council.province
        groups.setdefault(province.pk, []).append(review)
        provinces[province.pk] = province
    number = 0
    for key, rows in groups.items():
        book.sheet.merge_range(book.row, 0, book.row, 10, provinces[key].name, book.bold_text)
        book.row += 1
        for review in rows:
            number += 1
            book.line(_row(number, review))
        book.total(_("Subtotal %(province)s") % {"province": provinces[key].name}, _sums(rows))
    book.total(_("Grand total"), _sums(reviews))
    return book.close()
