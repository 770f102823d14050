"""The proposed changes of an adjustment, checked per kind (pure; shared by the form and the API).

``clean_changes(kind, changes) -> (cleaned, errors)``: cleaned keeps only the keys the kind uses,
in JSON-friendly types (ISO dates, whole đồng, ids); errors maps ``changes.<key>`` to a message.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

MAX_AMOUNT = 10**15
KEYS = {
    "budget": ("approved_support",),
    "timeline": ("end_date", "start_date"),
    "place": ("location", "commune_code"),
    "content": ("name", "objectives", "target_outputs"),
    "beneficiary": ("replace_establishment_id", "establishment_id", "support"),
    "stop": (),
    "cancel": (),
}


def _amount(value: Any) -> tuple[int | None, str | None]:
    if isinstance(value, bool) or not isinstance(value, int):
        return None, _("Give the amount as a whole number of đồng.")
    if value < 0:
        return None, _("An amount cannot be negative.")
    if value > MAX_AMOUNT:
        return None, _("The amount is too large.")
    return value, None


def _date(value: Any) -> tuple[str | None, str | None]:
    if isinstance(value, dt.date):
        return value.isoformat(), None
    try:
        return dt.date.fromisoformat(str(value)).isoformat(), None
    except ValueError:
        return None, _("Give a date (yyyy-mm-dd).")


def _id(value: Any) -> tuple[int | None, str | None]:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return None, _("Choose an establishment.")
    return value, None


def clean_changes(kind: str, changes: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    if kind not in KEYS:
        return {}, {"kind": _("Choose the kind of adjustment.")}
    if not isinstance(changes, dict):
        return {}, {"changes": _("Give the changes as an object.")}
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    unknown = sorted(set(changes) - set(KEYS[kind]))
    if unknown:
        errors["changes"] = _("These changes do not belong to this kind of adjustment: %(keys)s.") % {
            "keys": ", ".join(unknown)
        }
    values = {key: value for key, value in changes.items() if value not in (None, "") and key in KEYS[kind]}
    if kind == "budget":
        if "approved_support" not in values:
            errors["changes.approved_support"] = _("Give the new approved support.")
        else:
            cleaned["approved_support"], message = _amount(values["approved_support"])
            if message:
                errors["changes.approved_support"] = message
    elif kind == "timeline":
        if "end_date" not in values:
            errors["changes.end_date"] = _("Give the new end date.")
        for key in ("end_date", "start_date"):
            if key in values:
                cleaned[key], message = _date(values[key])
                if message:
                    errors[f"changes.{key}"] = message
        if not errors and cleaned.get("start_date") and cleaned["end_date"] < cleaned["start_date"]:
            errors["changes.end_date"] = _("The end date cannot be before the start date.")
    elif kind == "place":
        if not values:
            errors["changes.location"] = _("Give the new location or commune.")
        if "location" in values:
            cleaned["location"] = str(values["location"]).strip()[:500]
        if "commune_code" in values:
            cleaned["commune_code"] = str(values["commune_code"]).strip()[:10]
    elif kind == "content":
        if not values:
            errors["changes.objectives"] = _("Give the new name, objectives or target outputs.")
        for key in KEYS["content"]:
            if key in values:
                cleaned[key] = str(values[key]).strip()[: 500 if key == "name" else 5000]
    elif kind == "beneficiary":
        for key in ("replace_establishment_id", "establishment_id"):
            cleaned[key], message = _id(values.get(key))
            if message:
                errors[f"changes.{key}"] = message
        if "support" in values:
            cleaned["support"], message = _amount(values["support"])
            if message:
                errors["changes.support"] = message
    return cleaned, errors
