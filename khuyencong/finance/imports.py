"""Money imports on the tabular engine: budget allocations (giao dự toán) and ledger entries
(advances, payments, recoveries), one row each. See docs/import.md ("Allocations", "Ledger").

Every write goes through ``finance.actions`` (``allocate``, ``request_payment``,
``record_recovery``): the same permission, reach, caps and budget control as the pages, and each
refusal code becomes the row's error. A row is written once: its ``Mã yêu cầu`` (the request key)
is the action's idempotency key; an empty key is derived from the row's content, so importing the
same file again writes nothing new. The lists' exports carry the key of every row (``GDT-<id>`` /
``SC-<id>`` for a row written without one), so an exported file imports back unchanged. Entries are
never edited: a row whose key was used for other content is an error (add a correction instead).

A dry run writes each batch inside a savepoint it rolls back, so the caps see the earlier rows
of the file (two payments that each fit but not together are caught before the commit).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from khuyencong import tabular
from khuyencong.finance import actions
from khuyencong.finance.models import Allocation, EntryKind, EntryStatus, LedgerEntry
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.kernel.scoping import Action, can, restrict
from khuyencong.kernel.text import fold
from khuyencong.organisation.models import OrgUnit
from khuyencong.planning.models import AnnualPlan, FundingSource
from khuyencong.projects.models import BeneficiaryLine, Project
from khuyencong.rulebook.models import Level
from khuyencong.tabular import cells
from khuyencong.tabular.columns import ERROR_HEADER, ROW_HEADER

ALLOCATIONS = "finance.allocation"
LEDGER = "finance.ledgerentry"
KEY_HEADER = "Mã yêu cầu"
STATUS_HEADER = "Trạng thái"  # exported for reading; a status changes by approval only
UNIT_NAME_HEADER = "Tên đơn vị"
ALLOCATION_PREFIX, LEDGER_PREFIX = "GDT", "SC"
IMPORTED_KINDS = (EntryKind.ADVANCE, EntryKind.PAYMENT, EntryKind.RECOVERY)


def export_key(row, prefix: str) -> str:
    """The request key an export writes for a row: its own, or one naming the row."""
    return row.idempotency_key or f"{prefix}-{row.pk}"


@functools.cache
def _table(name: str) -> dict[str, str]:
    if name == "level":
        return cells.choice_table(Level.choices, {"quoc gia": Level.NATIONAL, "kcqg": Level.NATIONAL,
                                                  "dia phuong": Level.LOCAL, "kcdp": Level.LOCAL})  # fmt: skip
    if name == "source":
        return cells.choice_table(FundingSource.choices, {"tw": "central", "trung uong": "central",
                                                          "dp": "local", "doi ung": "counterpart"})  # fmt: skip
    aliases = {"tam ung": "advance", "thanh toan": "payment", "thu hoi": "recovery", "quyet toan": "settlement"}
    return cells.choice_table(list(EntryKind.choices), aliases)


_CHOICES = {"level": Level.choices, "source": FundingSource.choices, "kind": EntryKind.choices}


def _labels(name: str):
    return lambda: cells.vietnamese_labels(_CHOICES[name])


def _choice(name: str):
    return cells.choice(lambda: _table(name), _labels(name))


def vietnamese(name: str, value: str) -> str:
    with translation.override("vi"):
        return str(dict(_CHOICES[name]).get(value, value))


def _upper(max_length: int):
    parse = cells.text(max_length)
    return lambda raw, column: parse(raw, column).upper()


Column = tabular.Column
ALLOCATION_COLUMNS: tuple[Column, ...] = (
    Column("Năm", "year", True, cells.year, ("Năm kế hoạch",), 2026),
    Column("Cấp", "level", True, _choice("level"), ("Cấp quản lý",), "Quốc gia (KCQG)", values="levels"),
    Column("Mã tỉnh", "province", False, cells.province_code, (), "42", as_text=True,
           guide="For a local plan: the province of the plan."),
    Column("Mã đơn vị", "unit", False, _upper(40), ("Mã đơn vị thực hiện",), "TTKC-42", as_text=True,
           guide="The code of the implementing unit (or give its name)."),
    Column(UNIT_NAME_HEADER, "unit_name", False, cells.text(255), ("Đơn vị thực hiện",),
           "Trung tâm Khuyến công Hà Tĩnh"),
    Column("Nguồn vốn", "funding_source", False, _choice("source"), (), "Ngân sách trung ương", values="sources"),
    Column("Số tiền (đồng)", "amount", True, cells.amount(signed=True), ("Số tiền", "Kinh phí giao"), 500_000_000,
           guide="Negative: a reduction (give the reason)."),
    Column("Số quyết định", "decision_number", True, cells.text(60), ("Số QĐ",), "12/QĐ-BCT"),
    Column("Ngày quyết định", "decision_date", True, cells.date, ("Ngày QĐ",), "20/01/2026"),
    Column("Lý do", "reason", False, cells.text(2000), (), ""),
    Column(KEY_HEADER, "key", False, cells.text(100), (), "", as_text=True,
           guide="Optional: the row's own key; a row is written once per key."),
)  # fmt: skip
LEDGER_COLUMNS: tuple[Column, ...] = (
    Column("Mã đề án", "project", True, _upper(40), ("Mã",), "DA-2026-0001", as_text=True),
    Column("Loại", "kind", True, _choice("kind"), ("Loại chi",), "Tạm ứng", values="kinds"),
    Column("Số tiền (đồng)", "amount", True, cells.amount(), ("Số tiền",), 100_000_000),
    Column("Ngày", "entry_date", True, cells.date, ("Ngày chứng từ",), "15/03/2026"),
    Column("Mã số thuế người hưởng", "tax_code", False, cells.text(14), ("Mã số thuế",), "", as_text=True),
    Column("Người hưởng", "beneficiary", False, cells.text(255), ("Cơ sở thụ hưởng",), ""),
    Column("Số chứng từ", "document_number", False, cells.text(60), (), "UNC-01"),
    Column(KEY_HEADER, "key", False, cells.text(100), (), "", as_text=True,
           guide="Optional: the row's own key; a row is written once per key."),
)  # fmt: skip
ALLOCATION_HEADERS = {c.field: c.header for c in ALLOCATION_COLUMNS}
LEDGER_HEADERS = {c.field: c.header for c in LEDGER_COLUMNS}
IGNORED = (ROW_HEADER, ERROR_HEADER, "STT", "TT", "Ghi chú", STATUS_HEADER, "Tên đề án")

ALLOCATION_SPEC = tabular.TableSpec(
    title="Giao dự toán",
    columns=ALLOCATION_COLUMNS,
    choice_lists={"levels": ("Cấp", _labels("level")), "sources": ("Nguồn vốn", _labels("source"))},
    unique_keys=("key",),
    ignored_headers=IGNORED,
)
LEDGER_SPEC = tabular.TableSpec(
    title="Sổ chi",
    columns=LEDGER_COLUMNS,
    choice_lists={"kinds": ("Loại", _labels("kind"))},
    unique_keys=("key",),
    ignored_headers=IGNORED,
)


class _DryRun(Exception):
    """Rolls back the rows of a batch written only to be checked."""


def derived_key(prefix: str, values: dict[str, Any]) -> str:
    """A row's key from its content (the same row gives the same key)."""
    content = {k: v for k, v in values.items() if k != "key"}
    text = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False)
    return f"{prefix}-{hashlib.sha256(text.encode()).hexdigest()[:32]}"


def _refusal(row, exc: ActionRefused, headers: dict[str, str]) -> None:
    for field, message in exc.errors.items():
        header = headers.get(field or "", "")
        row.errors.append(f"{header}: {message}" if header else message)


class _MoneyImport(tabular.BaseImport):
    prefix = ""
    headers: dict[str, str] = {}
    model: Any = None

    def begin(self, user, header, *, write: bool) -> None:
        super().begin(user, header, write=write)
        self.derived: dict[str, int] = {}

    def key_of(self, row) -> str:
        given = row.values.get("key")
        if given:
            return given
        found = derived_key(self.prefix, row.values)
        first = self.derived.setdefault(found, row.row)
        if first != row.row:
            row.errors.append(
                _("This row repeats row %(row)s; give each its own %(column)s to record both.")
                % {"row": first, "column": KEY_HEADER}
            )
        return found

    def stored_for(self, keys: list[str]) -> dict[str, Any]:
        """The rows already written under these keys (or named by an export's ``<prefix>-<id>``)."""
        named = {}
        pattern = re.compile(rf"^{self.prefix}-(\d{{1,18}})$")
        for key in keys:
            match = pattern.match(key)
            if match:
                named[int(match.group(1))] = key
        condition = Q(idempotency_key__in=keys)
        if named:
            condition |= Q(pk__in=list(named), idempotency_key__isnull=True)
        found = {}
        for obj in self.model.objects.filter(condition):
            found[obj.idempotency_key or named.get(obj.pk)] = obj
        return found

    def apply(self, rows, *, write: bool) -> None:
        keys = {row: self.key_of(row) for row in rows}
        stored = self.stored_for([k for k in keys.values() if k])
        try:
            with transaction.atomic():
                for row in rows:
                    if row.errors:
                        continue
                    existing = stored.get(keys[row])
                    if existing is not None:
                        if self.same(existing, row):
                            row.outcome = "unchanged"
                        else:
                            row.errors.append(
                                _("%(column)s %(key)s was already used for another entry; entries are never "
                                  "edited: record a correction with a new key.")
                                % {"column": KEY_HEADER, "key": keys[row]}
                            )  # fmt: skip
                        continue
                    try:
                        with transaction.atomic():
                            written = self.write_row(row, keys[row])
                    except ActionRefused as exc:
                        _refusal(row, exc, self.headers)
                        continue
                    row.outcome = "unchanged" if getattr(written, "replayed", False) else "new"
                if not write:
                    raise _DryRun
        except _DryRun:
            pass

    def same(self, existing, row) -> bool:
        raise NotImplementedError

    def write_row(self, row, key: str):
        raise NotImplementedError


class AllocationImport(_MoneyImport):
    """Allocations to units, by plan (year, level, province), within the importing user's reach."""

    spec = ALLOCATION_SPEC
    prefix = ALLOCATION_PREFIX
    headers = {**ALLOCATION_HEADERS, "plan": "Năm", "plan_line": "Năm"}
    model = Allocation

    def begin(self, user, header, *, write: bool) -> None:
        super().begin(user, header, write=write)
        if not (can(user, actions.ALLOCATE, Allocation) or can(user, actions.ALLOCATE_LOCAL, Allocation)):
            raise tabular.ImportFileError(_("You are not allowed to import allocations."))
        self.plans: dict[tuple, list[AnnualPlan]] = {}
        for plan in AnnualPlan.objects.select_related("province"):
            code = plan.province.code if plan.province_id else None
            self.plans.setdefault((plan.year, plan.level, code), []).append(plan)
        units = list(OrgUnit.objects.filter(is_active=True))
        self.units = {u.code.upper(): u for u in units}
        self.unit_names: dict[str, list[OrgUnit]] = {}
        for unit in units:
            self.unit_names.setdefault(fold(unit.name), []).append(unit)

    def check(self, row) -> None:
        values = row.values
        province = values.get("province") if values.get("level") == Level.LOCAL else None
        if values.get("level") == Level.LOCAL and not province:
            row.errors.append(_("Mã tỉnh: a local plan belongs to a province."))
        elif "year" in values and "level" in values:
            found = self.plans.get((values["year"], values["level"], province), [])
            if len(found) != 1:
                row.errors.append(
                    _("No plan of that year and level was found.") if not found
                    else _("Several plans have that year and level; import this row from the plan's page.")
                )  # fmt: skip
            else:
                row.resolved["plan"] = found[0]
        unit = None
        if values.get("unit"):
            unit = self.units.get(values["unit"])
            if unit is None:
                row.errors.append(
                    _("%(column)s: no org unit has the code %(code)s.")
                    % {"column": ALLOCATION_HEADERS["unit"], "code": values["unit"]}
                )
                return
        elif values.get("unit_name"):
            named = self.unit_names.get(fold(values["unit_name"]), [])
            if len(named) != 1:
                row.errors.append(
                    (_("%(column)s: no org unit is named “%(name)s”.") if not named
                     else _("%(column)s: several org units are named “%(name)s”; give the unit's code."))
                    % {"column": UNIT_NAME_HEADER, "name": values["unit_name"]}
                )  # fmt: skip
                return
            unit = named[0]
        else:
            row.errors.append(_("Give the unit's code or its name."))
            return
        row.resolved["unit"] = unit

    def same(self, existing, row) -> bool:
        values = row.values
        source = values.get("funding_source") or existing.funding_source
        return (
            existing.plan_id == row.resolved["plan"].pk and existing.unit_id == row.resolved["unit"].pk
            and existing.amount == values["amount"] and existing.funding_source == source
            and existing.decision_number == values["decision_number"]
            and existing.decision_date == values["decision_date"]
        )  # fmt: skip

    def write_row(self, row, key: str):
        values = row.values
        return actions.allocate(
            user=self.user, plan=row.resolved["plan"], unit=row.resolved["unit"], amount=values["amount"],
            decision_number=values["decision_number"], decision_date=values["decision_date"],
            funding_source=values.get("funding_source", ""), reason=values.get("reason", ""), idempotency_key=key,
        )  # fmt: skip


class LedgerImport(_MoneyImport):
    """Advances, payments and recoveries of projects, by project code, within the user's reach."""

    spec = LEDGER_SPEC
    prefix = LEDGER_PREFIX
    headers = {**LEDGER_HEADERS, "entry_date": LEDGER_HEADERS["entry_date"], "recovers": LEDGER_HEADERS["kind"]}
    model = LedgerEntry

    def begin(self, user, header, *, write: bool) -> None:
        super().begin(user, header, write=write)
        if not any(can(user, name, LedgerEntry) for name in (actions.REQUEST_PAYMENT, actions.APPROVE_PAYMENT,
                                                               actions.APPROVE_PAYMENT_LOCAL)):  # fmt: skip
            raise tabular.ImportFileError(_("You are not allowed to import ledger entries."))
        self.projects: dict[str, Project | None] = {}

    def _project(self, code: str) -> Project | None:
        if code not in self.projects:
            found = restrict(Project.objects.filter(code=code), self.user, Action.VIEW).first()
            self.projects[code] = found
        return self.projects[code]

    def check(self, row) -> None:
        values = row.values
        if "project" in values:
            project = self._project(values["project"])
            if project is None:
                row.errors.append(
                    _("%(column)s: no project you can see has the code %(code)s.")
                    % {"column": LEDGER_HEADERS["project"], "code": values["project"]}
                )
                return
            row.resolved["project"] = project
        tax_code, name = values.get("tax_code"), values.get("beneficiary")
        if (tax_code or name) and row.resolved.get("project") is not None:
            lines = BeneficiaryLine.objects.filter(project=row.resolved["project"]).select_related("establishment")
            found = [
                line for line in lines
                if (tax_code and line.establishment.tax_code == tax_code)
                or (not tax_code and fold(line.establishment.name) == fold(name))
            ]  # fmt: skip
            if len(found) != 1:
                row.errors.append(
                    _("%(column)s: no beneficiary of project %(code)s matches.")
                    % {"column": LEDGER_HEADERS["tax_code" if tax_code else "beneficiary"], "code": values["project"]}
                )
                return
            row.resolved["beneficiary"] = found[0]

    def same(self, existing, row) -> bool:
        values = row.values
        beneficiary = row.resolved.get("beneficiary")
        return (
            existing.project_id == row.resolved["project"].pk and existing.kind == values["kind"]
            and existing.amount == values["amount"] and existing.entry_date == values["entry_date"]
            and existing.document_number == values.get("document_number", "")
            and existing.beneficiary_id == (beneficiary.pk if beneficiary else None)
        )  # fmt: skip

    def write_row(self, row, key: str):
        values = row.values
        common = {
            "user": self.user, "project": row.resolved["project"], "amount": values["amount"],
            "entry_date": values["entry_date"], "beneficiary": row.resolved.get("beneficiary"),
            "document_number": values.get("document_number", ""), "idempotency_key": key,
        }  # fmt: skip
        kind = values["kind"]
        if kind == EntryKind.RECOVERY:
            return actions.record_recovery(**common)
        if kind not in IMPORTED_KINDS:
            message = _("A settlement is recorded with the project's settlement, not imported.")
            raise ActionRefused("kind_invalid", message, field="kind", status=422)
        return actions.request_payment(kind=kind, **common)


def status_label(entry) -> str:
    with translation.override("vi"):
        return str(EntryStatus(entry.status).label)


def allocation_template() -> bytes:
    return tabular.template_workbook(ALLOCATION_SPEC)


def ledger_template() -> bytes:
    return tabular.template_workbook(LEDGER_SPEC)


tabular.register_importer(ALLOCATIONS, AllocationImport)
tabular.register_importer(LEDGER, LedgerImport)
