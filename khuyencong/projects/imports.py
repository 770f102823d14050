"""The project import (đề án): proposals from the Excel list officials keep, on the tabular engine.

One row per project, matched to stored projects by its code (``Mã đề án``). A new code creates a
draft proposal; a known code updates it while it is still a draft (or returned for documents); an
unchanged row, whatever the project's state, changes nothing, so the list's export imports back
unchanged. Every write goes through ``projects.actions.save_project``: the same checks, scope and
optimistic lock as the form. Codes, units and contents are given by their codes; amounts as
2.080.000.000, 2,08 tỷ or 150 triệu. See docs/import.md ("Projects").
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from khuyencong import tabular
from khuyencong.kernel.lifecycle import ActionRefused, Invalid
from khuyencong.kernel.scoping import Action, can, restrict
from khuyencong.organisation.models import OrgUnit
from khuyencong.planning.models import Disruption
from khuyencong.projects import actions
from khuyencong.projects.models import EDITABLE_STATES, Project
from khuyencong.rulebook.models import ActivityContent, Level, ProjectKind
from khuyencong.tabular import cells
from khuyencong.tabular.columns import ERROR_HEADER, ROW_HEADER
from khuyencong.territory.models import Province

NAME = "projects.project"
STATE_HEADER = "Trạng thái"  # exported for reading; the state changes only by steps, never by import


@functools.cache
def _table(name: str) -> dict[str, str]:
    if name == "level":
        return cells.choice_table(Level.choices, {"quoc gia": Level.NATIONAL, "kcqg": Level.NATIONAL,
                                                  "dia phuong": Level.LOCAL, "kcdp": Level.LOCAL})  # fmt: skip
    if name == "kind":
        return cells.choice_table(ProjectKind.choices, {"thuong": ProjectKind.ORDINARY, "nhom": ProjectKind.GROUP,
                                                        "diem": ProjectKind.FLAGSHIP})  # fmt: skip
    table = cells.choice_table([c for c in Disruption.choices if c[0]], {"dich": "epidemic", "covid": "epidemic"})
    table[cells.key("Không")] = ""
    return table


def _labels(name: str):
    choices = {"level": Level.choices, "kind": ProjectKind.choices}

    def labels():
        if name == "disruption":
            return ["Không", *cells.vietnamese_labels([c for c in Disruption.choices if c[0]])]
        return cells.vietnamese_labels(choices[name])

    return labels


def _choice(name: str):
    return cells.choice(lambda: _table(name), _labels(name))


def _code(raw, column) -> str:
    return cells.text(40)(raw, column).upper()


Column = tabular.Column
COLUMNS: tuple[Column, ...] = (
    Column("Mã đề án", "code", True, _code, ("Mã", "Số hiệu đề án"), "DA-2026-0001", as_text=True,
           guide="The project's code; a known code updates that project while it is a draft."),
    Column("Tên đề án", "name", True, cells.text(500), ("Tên",), "Ứng dụng máy móc thiết bị dệt thổ cẩm"),
    Column("Cấp", "level", True, _choice("level"), ("Cấp quản lý",), "Khuyến công quốc gia (KCQG)", values="levels"),
    Column("Loại đề án", "kind", False, _choice("kind"), (), "Đề án thông thường", values="kinds"),
    Column("Nội dung khuyến công", "content", True, cells.text(20), ("Mã nội dung",), "2012-03", as_text=True,
           guide="The code of the activity content (2012-03)."),
    Column("Định mức", "norm_code", False, cells.text(60), ("Mã định mức",), "machinery"),
    Column("Năm kế hoạch", "year", True, cells.year, ("Năm",), 2026),
    Column("Mã tỉnh", "province", False, cells.province_code, (), "42", as_text=True),
    Column("Đơn vị thực hiện", "implementing_unit", True, cells.text(40), ("Mã đơn vị thực hiện",), "TTKC-42",
           as_text=True, guide="The code of the implementing unit."),
    Column("Địa điểm", "location", False, cells.text(500)),
    Column("Ngày bắt đầu", "start_date", False, cells.date),
    Column("Ngày kết thúc", "end_date", False, cells.date),
    Column("Tổng kinh phí (đồng)", "total_cost", False, cells.amount(), ("Tổng kinh phí",), 400_000_000),
    Column("Kinh phí hỗ trợ (đồng)", "support_amount", False, cells.amount(), ("Kinh phí hỗ trợ",), 150_000_000),
    Column("Kinh phí đối ứng (đồng)", "counterpart_amount", False, cells.amount(), ("Kinh phí đối ứng",)),
    Column("Ảnh hưởng", "disruption", False, _choice("disruption"), values="disruptions"),
    Column("Sự kiện", "disruption_event", False, cells.text(200)),
    Column("Mức độ ảnh hưởng", "disruption_note", False, cells.text(2000)),
)  # fmt: skip
HEADERS = {c.field: c.header for c in COLUMNS}

SPEC = tabular.TableSpec(
    title="Đề án",
    columns=COLUMNS,
    choice_lists={
        "levels": ("Cấp", _labels("level")),
        "kinds": ("Loại đề án", _labels("kind")),
        "disruptions": ("Ảnh hưởng", _labels("disruption")),
    },
    unique_keys=("code",),
    ignored_headers=(ROW_HEADER, ERROR_HEADER, "STT", "TT", "Ghi chú", STATE_HEADER),
)
COMPARED = ("name", "level", "kind", "content", "norm_code", "year", "province", "implementing_unit", "location",
            "start_date", "end_date", "total_cost", "support_amount", "counterpart_amount", "disruption",
            "disruption_event", "disruption_note")  # fmt: skip
DEFAULTS = {"kind": ProjectKind.ORDINARY, "norm_code": "", "location": "", "total_cost": 0, "support_amount": 0,
            "counterpart_amount": 0, "disruption": "", "disruption_event": "", "disruption_note": ""}  # fmt: skip


class ProjectImport(tabular.BaseImport):
    """Draft proposals by code, within the importing user's reach."""

    spec = SPEC

    def begin(self, user, header, *, write: bool) -> None:
        super().begin(user, header, write=write)
        if not can(user, Action.ADD, Project):
            raise tabular.ImportFileError(_("You are not allowed to import projects."))
        self.contents = {c.code: c for c in ActivityContent.objects.all()}
        self.provinces = {p.code: p for p in Province.objects.current()}
        self.units = {u.code.upper(): u for u in OrgUnit.objects.filter(is_active=True)}

    def check(self, row) -> None:
        values = row.values
        if "content" in values:
            row.resolved["content"] = self.contents.get(values["content"])
            if row.resolved["content"] is None:
                row.errors.append(_("%(column)s: no activity content has the code %(code)s.")
                                  % {"column": HEADERS["content"], "code": values["content"]})  # fmt: skip
        if "province" in values:
            row.resolved["province"] = self.provinces.get(values["province"])
            if row.resolved["province"] is None:
                row.errors.append(
                    _("Mã tỉnh: no province in force has the code %(code)s.") % {"code": values["province"]}
                )
        if "implementing_unit" in values:
            row.resolved["implementing_unit"] = self.units.get(values["implementing_unit"].upper())
            if row.resolved["implementing_unit"] is None:
                message = _("%(column)s: no org unit has the code %(code)s.")
                row.errors.append(
                    message % {"column": HEADERS["implementing_unit"], "code": values["implementing_unit"]}
                )

    def _values(self, row) -> dict[str, Any]:
        values = {name: row.values[name] for name in COMPARED if name in row.values}
        for name in ("content", "province", "implementing_unit"):
            if row.resolved.get(name) is not None:
                values[name] = row.resolved[name]
        return values

    def apply(self, rows, *, write: bool) -> None:
        codes = [row.values["code"] for row in rows]
        stored = {p.code: p for p in Project.objects.filter(code__in=codes).select_related("province", "content")}
        reachable = set(restrict(Project.objects.filter(code__in=list(stored)), self.user, Action.CHANGE)
                        .values_list("code", flat=True))  # fmt: skip
        for row in rows:
            code = row.values["code"]
            values = self._values(row)
            project = stored.get(code)
            if project is None:
                values = {**DEFAULTS, **values, "code": code}
                if values.get("level") == Level.LOCAL and "province" not in values:
                    row.errors.append(_("Mã tỉnh: a local project belongs to a province."))
                    continue
                self._save(row, values, None, write)
                if not row.errors:
                    row.outcome = "new"
                continue
            if code not in reachable:
                # Never say more about a project the user may not change than that the code is taken.
                row.errors.append(_("Mã đề án: the code %(code)s is already used by another project.") % {"code": code})
                continue
            changed = {name: value for name, value in values.items() if _stored(project, name) != _plain(value)}
            if not changed:
                row.outcome = "unchanged"
                continue
            if project.state not in EDITABLE_STATES:
                row.errors.append(_("Project %(code)s is %(state)s: only a draft or a returned proposal can be "
                                    "changed by import (%(fields)s).")
                                  % {"code": code, "state": project.get_state_display(),
                                     "fields": ", ".join(HEADERS[name] for name in changed)})  # fmt: skip
                continue
            self._save(row, changed, project, write)
            if not row.errors:
                row.outcome = "updated"

    def _save(self, row, values, project, write: bool) -> None:
        """Write through the action; a dry run writes too, inside a savepoint it rolls back, so it
        says exactly what the commit would (the same checks, scope and lock)."""
        try:
            with transaction.atomic():
                actions.save_project(user=self.user, values=values, instance=project,
                                     version=project.version if project else None)  # fmt: skip
                if not write:
                    raise _DryRun
        except _DryRun:
            pass
        except Invalid as exc:
            for field, message in exc.errors.items():
                row.errors.append(f"{HEADERS.get(field, field)}: {message}")
        except ActionRefused as exc:
            row.errors.append(exc.message)


class _DryRun(Exception):
    """Rolls back a row written only to be checked."""


def _plain(value):
    return value.pk if hasattr(value, "pk") else value


def _stored(project: Project, name: str):
    if name in ("content", "province", "implementing_unit"):
        return getattr(project, f"{name}_id")
    return getattr(project, name)


def template() -> bytes:
    return tabular.template_workbook(SPEC)


tabular.register_importer(NAME, ProjectImport)
