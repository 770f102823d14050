"""The rules an establishment's values must satisfy, written once for the form, the API and the import.

:func:`establishment_errors` is pure: it looks only at the values it is given (model field names
as keys; related records as model instances or ids) and never at the database, so the import can
call it for thousands of rows. Rules that need the database (a tax code used by another record,
a commune in the user's reach) live in :mod:`khuyencong.registry.actions`.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.vn import mst

MAX_ID = 2**63 - 1


def compact_tax_code(value: str | None) -> str | None:
    """The stored form of a tax code ("0100-112-437" → "0100112437"); None when empty.

    Raises ``ValueError`` with a translated message when the code is not valid.
    """
    if value is None or not str(value).strip():
        return None
    try:
        return mst.validate(str(value))
    except stdnum_errors.InvalidChecksum:
        raise ValueError(_("The tax code %(code)s is not valid: the check digit is wrong.") % {"code": value}) from None
    except stdnum_errors.ValidationError:
        raise ValueError(
            _("The tax code %(code)s is not valid (wrong length or check digit).") % {"code": value}
        ) from None


def tax_code_error(value: str | None) -> str | None:
    try:
        compact_tax_code(value)
    except ValueError as exc:
        return str(exc)
    return None


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def establishment_errors(values: dict[str, Any]) -> dict[str, str]:
    """Field → message for every rule ``values`` break; empty when they pass.

    Checked: the tax code's form and check digit; women and ethnic-minority workers not above
    the total; a craft village in the establishment's own commune (when both are given as
    instances, or the village's ``commune_id`` is known).
    """
    errors: dict[str, str] = {}
    if values.get("tax_code"):
        message = tax_code_error(values["tax_code"])
        if message:
            errors["tax_code"] = message
    total = values.get("workers_total")
    if total is not None:
        for field in ("workers_women", "workers_ethnic_minority"):
            count = values.get(field)
            if count is not None and count > total:
                errors[field] = _("Cannot exceed the total number of workers.")
    village, commune = values.get("craft_village"), values.get("commune")
    village_commune = getattr(village, "commune_id", None)
    if village is not None and commune is not None and village_commune not in (None, _pk(commune)):
        errors["craft_village"] = _("The craft village must be in the establishment's commune.")
    return errors
