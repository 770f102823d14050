"""The establishment import (cơ sở CNNT): one column spec and three hooks on the tabular engine.

Rows are matched to stored records by tax code, else external id, else - for a row with neither -
by its natural key (the folded name and the commune), so importing the same file again changes
nothing. Messages never reveal whether a key belongs to a record outside the user's reach
("already registered", nothing more). See docs/import.md.
"""

from __future__ import annotations

import functools
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.vn import mst

from khuyencong import tabular
from khuyencong.kernel import context
from khuyencong.kernel.audit import log_m2m_changes
from khuyencong.kernel.scoping import Action, user_scope
from khuyencong.kernel.text import fold, sort_key
from khuyencong.registry.models import CraftVillage, Establishment, Gender, IndustryLine, LegalForm
from khuyencong.registry.services import queue_duplicates_batch
from khuyencong.registry.validation import establishment_errors
from khuyencong.tabular import cells
from khuyencong.tabular.cells import NO, YES, key, show
from khuyencong.territory.models import Commune
from khuyencong.territory.services import CommuneIndex

NAME = "registry.establishment"

LEGAL_FORM_ALIASES = {
    "dn": LegalForm.SME, "dnnvv": LegalForm.SME, "doanh nghiep": LegalForm.SME, "doanh nghiep nho": LegalForm.SME,
    "doanh nghiep vua": LegalForm.SME, "doanh nghiep nho va vua": LegalForm.SME, "cong ty": LegalForm.SME,
    "htx": LegalForm.COOPERATIVE, "hop tac xa": LegalForm.COOPERATIVE,
    "lien hiep htx": LegalForm.COOPERATIVE_UNION, "lien hiep hop tac xa": LegalForm.COOPERATIVE_UNION,
    "tht": LegalForm.COOPERATIVE_GROUP, "to hop tac": LegalForm.COOPERATIVE_GROUP,
    "ho kinh doanh": LegalForm.HOUSEHOLD, "ho kinh doanh ca the": LegalForm.HOUSEHOLD,
    "ho ca the": LegalForm.HOUSEHOLD, "hkd": LegalForm.HOUSEHOLD, "nghe nhan": LegalForm.ARTISAN,
}  # fmt: skip
STATUS_ALIASES = {
    "hoat dong": Establishment.Status.ACTIVE, "dang hoat dong": Establishment.Status.ACTIVE,
    "tam ngung": Establishment.Status.SUSPENDED, "tam dung": Establishment.Status.SUSPENDED,
    "tam ngung hoat dong": Establishment.Status.SUSPENDED, "ngung hoat dong": Establishment.Status.CLOSED,
    "da ngung hoat dong": Establishment.Status.CLOSED, "giai the": Establishment.Status.CLOSED,
    "da giai the": Establishment.Status.CLOSED, "dong cua": Establishment.Status.CLOSED,
    "da dong cua": Establishment.Status.CLOSED,
}  # fmt: skip
GENDER_ALIASES = {"nu": Gender.FEMALE, "nam": Gender.MALE, "khac": Gender.OTHER, "f": Gender.FEMALE, "m": Gender.MALE}

_CHOICES = {
    "legal_form": (LegalForm.choices, LEGAL_FORM_ALIASES),
    "status": (Establishment.Status.choices, STATUS_ALIASES),
    "gender": (Gender.choices, GENDER_ALIASES),
}


@functools.cache
def _table(name: str) -> dict[str, str]:
    choices, aliases = _CHOICES[name]
    return cells.choice_table(choices, aliases)


def _labels(name: str):
    return lambda: cells.vietnamese_labels(_CHOICES[name][0])


def _choice(name: str):
    return cells.choice(lambda: _table(name), _labels(name))


Column = tabular.Column
COLUMNS: tuple[Column, ...] = (
    Column("Tên cơ sở", "name", True, cells.text(255), ("Tên cơ sở CNNT", "Tên đơn vị"),
           "Cơ sở mây tre đan Hương Sơn", "Tên đầy đủ của cơ sở."),
    Column("Loại hình", "legal_form", True, _choice("legal_form"), ("Loại hình tổ chức", "Loại hình cơ sở"),
           "Hộ kinh doanh", "Một giá trị của cột Loại hình trong trang Giá trị hợp lệ.", values="legal_form"),
    Column("Mã số thuế", "tax_code", False, cells.tax_code, ("MST",), "",
           "10 chữ số, hoặc 13 chữ số với mã chi nhánh (0100112437-001). Dùng để cập nhật cơ sở đã có.",
           as_text=True),
    Column("Số ĐKKD", "registration_number", False, cells.text(40),
           ("Số đăng ký kinh doanh", "Số giấy chứng nhận đăng ký kinh doanh", "Số GCN ĐKKD"), "",
           "Số giấy chứng nhận đăng ký kinh doanh.", as_text=True),
    Column("Mã ngoài", "external_id", False, cells.text(60), ("Mã định danh ngoài",), "",
           "Mã của cơ sở trong hệ thống khác; dùng để cập nhật khi không có mã số thuế.", as_text=True),
    Column("Chủ cơ sở", "owner_name", False, cells.text(150), ("Họ tên chủ cơ sở", "Người đại diện"),
           "Nguyễn Thị Lan"),
    Column("Giới tính chủ cơ sở", "owner_gender", False, _choice("gender"), ("Giới tính",), "Nữ", values="gender"),
    Column("Địa chỉ", "address", False, cells.text(255), (), "Thôn 3"),
    Column("Mã xã", "commune", True, cells.commune_code, ("Mã xã/phường", "Mã đơn vị hành chính", "Mã ĐVHC"), "",
           "Mã 5 chữ số của xã/phường/đặc khu hiện hành; mã cũ (trước 1/7/2025) được chuyển sang đơn vị kế thừa.",
           as_text=True),
    Column("Làng nghề", "craft_village", False, cells.text(255), (), "",
           "Tên làng nghề đã có trong danh mục của xã (hoặc của tỉnh)."),
    Column("Ngành nghề", "industry_lines", False, cells.code_list, ("Mã ngành nghề", "Ngành nghề sản xuất"), "",
           "Mã (hoặc tên) ngành nghề trong danh mục, cách nhau bởi dấu chấm phẩy (;).", as_text=True),
    Column("Sản phẩm chính", "main_products", False, cells.text(500), ("Sản phẩm",), "Rổ, rá, giỏ mây"),
    Column("Tổng lao động", "workers_total", False, cells.whole_number, ("Tổng số lao động", "Số lao động"), 25),
    Column("Lao động nữ", "workers_women", False, cells.whole_number, ("Số lao động nữ",), 18,
           "Không vượt quá Tổng lao động."),
    Column("Lao động DTTS", "workers_ethnic_minority", False, cells.whole_number,
           ("Số lao động DTTS", "Lao động dân tộc thiểu số"), 0, "Không vượt quá Tổng lao động."),
    Column("Doanh thu năm (đồng)", "annual_revenue", False, cells.amount(), ("Doanh thu năm", "Doanh thu"),
           2_080_000_000, "Số nguyên, đồng (2080000000, 2.080.000.000 hoặc 2,08 tỷ)."),
    Column("Năm thành lập", "founding_year", False, cells.year, ("Ngày thành lập",), 2015,
           "Năm (2015) hoặc ngày (15/05/2015)."),
    Column("Điện thoại", "phone", False, cells.phone, ("Số điện thoại", "SĐT"), "0912345678", as_text=True),
    Column("Email", "email", False, cells.email, ("Thư điện tử",), ""),
    Column("Vĩ độ", "latitude", False, cells.coordinate(8, 24), (), 18.3437, "Từ 8 đến 24."),
    Column("Kinh độ", "longitude", False, cells.coordinate(102, 118), (), 105.9057, "Từ 102 đến 118."),
    Column("Trạng thái", "status", False, _choice("status"), ("Tình trạng hoạt động",), "Đang hoạt động",
           "Để trống: Đang hoạt động.", values="status"),
    Column("Chủ là nữ", "women_owned", False, cells.boolean, ("Chủ cơ sở là nữ", "Do nữ làm chủ"), YES,
           f"{YES} hoặc {NO}.", values="boolean"),
    Column("Có lao động DTTS", "ethnic_minority_workers", False, cells.boolean, ("Sử dụng lao động DTTS",), NO,
           f"{YES} hoặc {NO}.", values="boolean"),
    Column("Vùng khó khăn", "disadvantaged_area", False, cells.boolean, ("Địa bàn khó khăn", "Thuộc vùng khó khăn"),
           NO, f"{YES} hoặc {NO}.", values="boolean"),
)  # fmt: skip

SPEC = tabular.TableSpec(
    title="Cơ sở CNNT",
    columns=COLUMNS,
    choice_lists={
        "legal_form": ("Loại hình", _labels("legal_form")),
        "status": ("Trạng thái", _labels("status")),
        "gender": ("Giới tính", _labels("gender")),
        "boolean": ("Có / Không", lambda: [YES, NO]),
    },
    unique_keys=("tax_code", "external_id"),
    natural_key=("name", "commune"),
)
HEADERS = {c.field: c.header for c in COLUMNS}
# Fields a row sets directly on the model (the others are resolved: commune, village, lines).
PLAIN_FIELDS = [c.field for c in COLUMNS if c.field not in {"commune", "craft_village", "industry_lines"}]
SEARCH_FIELDS = {"name", "tax_code", "owner_name", "main_products", "address", "commune_id"}  # build_search_text
# What a row is compared with: the importable fields, the keys and the scope.
COMPARED = ["id", "province_id", "commune_id", "legacy_commune_id", "craft_village_id", *PLAIN_FIELDS]


class _IndustryLines:
    def __init__(self):
        today = timezone.localdate()
        self.by_key: dict[str, int] = {}
        lines = IndustryLine.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today)).order_by("valid_from")
        for pk, code, name in lines.values_list("pk", "code", "name"):
            self.by_key[key(code)] = pk
            self.by_key.setdefault(key(name), pk)

    def find(self, items: tuple[str, ...]) -> tuple[list[int], list[str]]:
        """Line ids for codes or names; an item not known as a whole is split on commas
        ("1623, 1079"), so a catalogue name that holds a comma still matches."""
        ids, unknown = [], []
        for item in items:
            parts = [item] if key(item) in self.by_key else [p.strip() for p in item.split(",") if p.strip()]
            for part in parts:
                pk = self.by_key.get(key(part))
                if pk is None:
                    unknown.append(part)
                elif pk not in ids:
                    ids.append(pk)
        return ids, unknown


@dataclass(frozen=True)
class _Village:
    pk: int
    commune_id: int | None


class _Villages:
    def __init__(self):
        self.loaded: dict[int, tuple[dict[tuple[int, str], _Village], dict[str, list[_Village]]]] = {}

    def find(self, province_id: int, commune_id: int, name: str) -> _Village | None:
        """The village of that name in the commune, else the only one of the province."""
        if province_id not in self.loaded:
            in_commune: dict[tuple[int, str], _Village] = {}
            in_province: dict[str, list[_Village]] = {}
            villages = CraftVillage.objects.filter(province_id=province_id).values_list("pk", "name", "commune_id")
            for pk, village, commune in villages:
                found = _Village(pk, commune)
                in_commune[(commune, key(village))] = found
                in_province.setdefault(key(village), []).append(found)
            self.loaded[province_id] = (in_commune, in_province)
        in_commune, in_province = self.loaded[province_id]
        name_key = key(name)
        if (commune_id, name_key) in in_commune:
            return in_commune[(commune_id, name_key)]
        matches = in_province.get(name_key, [])
        return matches[0] if len(matches) == 1 else None


class EstablishmentImport(tabular.BaseImport):
    """Hooks: ``check`` resolves the commune, the lines and the village of one row; ``apply``
    matches a batch with stored records and writes it through :meth:`save` (the seam a test
    overrides to make a batch fail)."""

    spec = SPEC

    def begin(self, user, header, *, write: bool) -> None:
        super().begin(user, header, write=write)
        self.scope = user_scope(user, Action.ADD, Establishment)
        self.change_scope = user_scope(user, Action.CHANGE, Establishment)
        if self.scope.is_empty:
            raise tabular.ImportFileError(_("You are not allowed to add establishments."))
        self.communes = CommuneIndex()
        self.lines = _IndustryLines() if header.present("industry_lines") else None
        self.villages = _Villages()
        self.touched: dict[int, int] = {}  # stored establishment -> the row that matched it
        self.through = Establishment.industry_lines.through

    # -- one row ----------------------------------------------------------------------------

    def check(self, item: tabular.ParsedRow) -> None:
        values = item.values
        self._rules(item, values)
        if item.errors:
            return
        found = self.communes.resolve(values["commune"])
        if found is None:
            item.errors.append(_("Unknown commune code %(value)s.") % {"value": values["commune"]})
            return
        commune_id, province_id, legacy_id, legacy_name = found
        code, name, _province = self.communes.current_ids[commune_id]
        if not self.scope.covers(province_id=province_id):
            item.errors.append(
                _("The commune %(code)s %(commune)s (%(province)s) is outside your scope.")
                % {"code": code, "commune": name, "province": self.communes.province_names.get(province_id, "")}
            )
            return
        item.resolved.update(commune_id=commune_id, province_id=province_id, legacy_commune_id=legacy_id)
        if legacy_id is not None:
            item.notes.append(
                _(
                    "Commune code %(old_code)s is %(old)s, a unit before 1/7/2025; the establishment is "
                    "recorded in its successor %(new_code)s %(new)s and keeps the old commune as history."
                )
                % {"old_code": values["commune"], "old": legacy_name, "new_code": code, "new": name}
            )
        if "industry_lines" in values:
            ids, unknown = self.lines.find(values["industry_lines"])
            if unknown:
                item.errors.append(
                    _("Unknown industry line code(s): %(codes)s.") % {"codes": ", ".join(show(u) for u in unknown)}
                )
                return
            item.resolved["industry_lines"] = frozenset(ids)
        if "craft_village" in values:
            village = self.villages.find(province_id, commune_id, values["craft_village"])
            if village is not None and establishment_errors({"craft_village": village, "commune": commune_id}):
                village = None  # the registry's rule: a village of the establishment's own commune
            if village is None:
                item.notes.append(
                    _("The craft village “%(value)s” is not in the list of craft villages of the commune; left empty.")
                    % {"value": values["craft_village"]}
                )
            item.resolved["craft_village_id"] = village.pk if village is not None else None

    def _rules(self, item, values: dict[str, Any]) -> None:
        """The registry's rules on the values (``validation.establishment_errors``, shared with the
        form and the API), worded for a row of a file: with the columns and the values."""
        for field, message in establishment_errors(values).items():
            if field in ("workers_women", "workers_ethnic_minority"):
                item.errors.append(
                    _("%(column)s (%(value)s) cannot exceed %(total_column)s (%(total)s).")
                    % {
                        "column": HEADERS[field],
                        "value": values[field],
                        "total_column": HEADERS["workers_total"],
                        "total": values["workers_total"],
                    }
                )
            else:
                item.errors.append(f"{HEADERS.get(field, field)}: {message}")

    # -- one batch --------------------------------------------------------------------------

    def apply(self, rows: list[tabular.ParsedRow], *, write: bool) -> None:
        by_tax, by_external, by_name = self._stored(rows)
        current_lines = self._current_lines([*by_tax.values(), *by_external.values(),
                                             *(s for group in by_name.values() for s in group)])  # fmt: skip
        creates: list[tuple[tabular.ParsedRow, Establishment | None]] = []
        changes: dict[int, tuple[tabular.ParsedRow, dict[str, Any]]] = {}
        for item in rows:
            stored = self.match(item, by_tax, by_external, by_name)
            if item.errors:
                continue
            if stored is None:
                creates.append((item, self.build(item) if write else None))
                item.outcome = "new"
                continue
            changed = self.compare(item, stored, current_lines.get(stored["id"], set()))
            if item.errors:
                continue
            self.touched[stored["id"]] = item.row
            if changed or item.resolved.get("lines_changed"):
                changes[stored["id"]] = (item, changed)
                item.outcome = "updated"
            else:
                item.outcome = "unchanged"
        if write:
            self.save(creates, self.updated_instances(changes))

    def _stored(self, rows):
        taxes = {i.values["tax_code"] for i in rows if "tax_code" in i.values}
        externals = {i.values["external_id"] for i in rows if "external_id" in i.values}
        keyless = [i for i in rows if "tax_code" not in i.values and "external_id" not in i.values]
        by_tax: dict[str, dict] = {}
        by_external: dict[str, dict] = {}
        by_name: dict[tuple[int, str], list[dict]] = {}
        # One unordered look-up per unique index (an OR of both makes PostgreSQL scan the table).
        # Plain values, not model instances: most matched rows are unchanged.
        for lookup, keys in (("tax_code__in", taxes), ("external_id__in", externals)):
            if keys:
                for values in Establishment.objects.filter(**{lookup: sorted(keys)}).order_by().values_list(*COMPARED):
                    stored = dict(zip(COMPARED, values, strict=True))
                    if stored["tax_code"]:
                        by_tax[stored["tax_code"]] = stored
                    if stored["external_id"]:
                        by_external[stored["external_id"]] = stored
        communes = {i.resolved["commune_id"] for i in keyless}
        if communes:
            live = Establishment.objects.live().filter(commune_id__in=sorted(communes)).order_by()
            for values in live.values_list(*COMPARED):
                stored = dict(zip(COMPARED, values, strict=True))
                if self.change_scope.covers(province_id=stored["province_id"]):
                    by_name.setdefault((stored["commune_id"], fold(stored["name"])), []).append(stored)
        return by_tax, by_external, by_name

    def _current_lines(self, stored: list[dict]) -> dict[int, set[int]]:
        current: dict[int, set[int]] = {}
        if self.lines is not None and stored:
            pairs = self.through.objects.filter(establishment_id__in={s["id"] for s in stored})
            for establishment_id, line_id in pairs.values_list("establishment_id", "industryline_id"):
                current.setdefault(establishment_id, set()).add(line_id)
        return current

    def match(self, item, by_tax, by_external, by_name) -> dict | None:
        """The upsert key: the tax code, else the external id, else the folded name in the commune.
        A key held by a record outside the user's reach is "already registered", nothing more."""
        tax = item.values.get("tax_code")
        external = item.values.get("external_id")
        if tax is None and external is None:
            found = by_name.get((item.resolved["commune_id"], fold(item.values["name"])), [])
            if len(found) > 1:
                item.errors.append(
                    _(
                        "%(count)s establishments named “%(name)s” are already registered in this commune; add the "
                        "tax code or the external id to say which one this row is."
                    )
                    % {"count": len(found), "name": item.values["name"]}
                )
                return None
            existing = found[0] if found else None
            if existing is not None and existing["id"] in self.touched:
                item.errors.append(
                    _("This row is about the same establishment as row %(row)s.")
                    % {"row": self.touched[existing["id"]]}
                )
            return existing
        existing = by_tax.get(tax) if tax else None
        via_external = existing is None and external is not None and external in by_external
        if via_external:
            existing = by_external[external]
        if existing is None:
            return None
        if not self.change_scope.covers(province_id=existing["province_id"]):
            if via_external:
                item.errors.append(_("The external id %(value)s is already registered.") % {"value": external})
            else:
                item.errors.append(_("The tax code %(value)s is already registered.") % {"value": tax})
            return None
        other = by_external.get(external) if external and not via_external else None
        if other is not None and other["id"] != existing["id"]:
            if self.change_scope.covers(province_id=other["province_id"]):
                item.errors.append(
                    _("The external id %(value)s belongs to another establishment than the tax code %(tax)s.")
                    % {"value": external, "tax": tax}
                )
            else:
                item.errors.append(_("The external id %(value)s is already registered.") % {"value": external})
        elif via_external and tax and existing["tax_code"] and existing["tax_code"] != tax:
            item.errors.append(
                _("The external id %(value)s belongs to an establishment with another tax code (%(tax)s).")
                % {"value": external, "tax": existing["tax_code"]}
            )
        elif existing["id"] in self.touched:
            item.errors.append(
                _("This row is about the same establishment as row %(row)s.") % {"row": self.touched[existing["id"]]}
            )
        return existing

    def build(self, item) -> Establishment:
        fields = {name: item.values[name] for name in PLAIN_FIELDS if name in item.values}
        establishment = Establishment(
            **fields,
            commune_id=item.resolved["commune_id"],
            legacy_commune_id=item.resolved["legacy_commune_id"],
            province_id=item.resolved["province_id"],
            craft_village_id=item.resolved.get("craft_village_id"),
            created_by_id=getattr(self.user, "pk", None),
        )
        establishment.search_text = establishment.build_search_text()
        establishment.name_key = sort_key(establishment.name)
        return establishment

    def compare(self, item, stored: dict, lines: set[int]) -> dict[str, Any]:
        """What the row changes on the stored record (attribute -> new value). Blank cells keep the
        stored value: a file cannot erase data by leaving a cell empty."""
        new = {name: item.values[name] for name in PLAIN_FIELDS if name in item.values}
        workers = ("workers_total", "workers_women", "workers_ethnic_minority")
        self._rules(item, {name: new.get(name, stored[name]) for name in workers})
        if item.errors:
            return {}
        resolved = item.resolved
        if stored["commune_id"] != resolved["commune_id"]:
            new["commune_id"] = resolved["commune_id"]
            new["province_id"] = resolved["province_id"]
            old = stored["legacy_commune_id"]
            stale = old is not None and not self.communes.leads_to(old, resolved["commune_id"])
            if resolved["legacy_commune_id"] is None and stale:
                new["legacy_commune_id"] = None  # the old unit no longer leads to the new commune
        if resolved["legacy_commune_id"] is not None:
            new["legacy_commune_id"] = resolved["legacy_commune_id"]
        if resolved.get("craft_village_id") is not None:
            new["craft_village_id"] = resolved["craft_village_id"]
        changed = {name: value for name, value in new.items() if stored[name] != value}
        if "industry_lines" in resolved and resolved["industry_lines"] != lines:
            resolved["lines_changed"] = True
            resolved["lines_before"] = frozenset(lines)  # for the change log
        return changed

    def updated_instances(self, changes: dict[int, tuple[tabular.ParsedRow, dict[str, Any]]]) -> list:
        """The changed records as model instances with the new values set (one query)."""
        now = timezone.now()
        updates = []
        for pk, establishment in Establishment.objects.in_bulk(list(changes)).items():
            item, changed = changes[pk]
            for name, value in changed.items():
                setattr(establishment, name, value)
            fields = set(changed)
            if fields & SEARCH_FIELDS:
                establishment.search_text = establishment.build_search_text()
                fields.add("search_text")
            if "name" in fields:
                establishment.name_key = sort_key(establishment.name)
                fields.add("name_key")
            establishment.updated_at = now
            updates.append((item, establishment, fields))
        return updates

    def save(self, creates, updates) -> None:
        """Write one batch (inside the batch's transaction): creates, updates, industry-line links
        and the duplicate queue for new records without a key."""
        if creates:
            objects = Establishment.objects.bulk_create([e for _i, e in creates])
            links = []
            for (item, _e), establishment in zip(creates, objects, strict=True):
                item.resolved["pk"] = establishment.pk
                for line in item.resolved.get("industry_lines", ()):
                    links.append(self.through(establishment_id=establishment.pk, industryline_id=line))
            if links:
                self.through.objects.bulk_create(links)
                log_m2m_changes(
                    (establishment, "industry_lines", (), item.resolved["industry_lines"])
                    for (item, _e), establishment in zip(creates, objects, strict=True)
                    if item.resolved.get("industry_lines")
                )
            keyless = [
                establishment
                for (item, _e), establishment in zip(creates, objects, strict=True)
                if "tax_code" not in item.values and "external_id" not in item.values
            ]
            queue_duplicates_batch(keyless)
        if updates:
            fields = set().union(*(changed for _i, _e, changed in updates))
            Establishment.objects.bulk_update([e for _i, e, _c in updates], sorted(fields | {"updated_at"}))
            relinked = [(i, e) for i, e, _c in updates if i.resolved.get("lines_changed")]
            if relinked:
                self.through.objects.filter(establishment_id__in=[e.pk for _i, e in relinked]).delete()
                self.through.objects.bulk_create(
                    [
                        self.through(establishment_id=e.pk, industryline_id=line)
                        for i, e in relinked
                        for line in i.resolved["industry_lines"]
                    ]
                )
                log_m2m_changes(
                    (e, "industry_lines", i.resolved.get("lines_before", ()), i.resolved["industry_lines"])
                    for i, e in relinked
                )


tabular.register_importer(NAME, EstablishmentImport)


# --- Entry points for the command line, the benchmark and the tests


def dry_run(source, user, reporter=None, **options) -> tabular.ImportReport:
    return tabular.dry_run(source, user, tabular.get_importer(NAME), reporter, **options)


def commit(source, user, reporter=None, **options) -> tabular.ImportReport:
    """Runs as ``user`` in the change log unless an actor is already set (a job, the command)."""
    with context.acting_as(user) if context.get_actor() is None else nullcontext():
        return tabular.commit(source, user, tabular.get_importer(NAME), reporter, **options)


def example_tax_code() -> str:
    base = "420123456"
    while len(mst.calc_check_digit(base)) != 1:
        base = str(int(base) + 1)
    return base + mst.calc_check_digit(base)


def template_workbook(example_commune: Commune | None = None) -> bytes:
    return tabular.template_workbook(
        SPEC,
        {
            "tax_code": example_tax_code(),
            "commune": example_commune.code if example_commune else "18073",
            "external_id": "HT-0001",
        },
    )
