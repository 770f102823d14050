"""Pure rules on one figure of a report, shared by the page, the API and the Excel upload."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from khuyencong.reporting.models import IndicatorKind

MAX_ABS = Decimal(10) ** 17
_GROUPED = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


def parse_number(raw: Any, kind: str) -> Decimal | None:
    """A number as people type it: 2.080.000.000 (dots group thousands), 12,5 (a decimal comma),
    plain 1500 or 12.5; a blank is None. Raises ValueError with a message for anything else."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValueError(_("Give a number."))
    if isinstance(raw, int | Decimal):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(str(raw))
    else:
        text = str(raw).strip().replace(" ", "").replace("\u00a0", "").removesuffix("%").removesuffix("đ")
        if not text:
            return None
        if _GROUPED.match(text):
            text = text.replace(".", "")
        elif "," in text and "." in text:
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", ".")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(_("“%(value)s” is not a number.") % {"value": raw}) from None
    if not value.is_finite() or abs(value) >= MAX_ABS:
        raise ValueError(_("The number is too large."))
    if kind in (IndicatorKind.INTEGER, IndicatorKind.MONEY) and value != value.to_integral_value():
        raise ValueError(_("Give a whole number."))
    return value.quantize(Decimal("0.01"))


def value_errors(indicator, *, reported: Decimal | None, text: str, system: Decimal | None, reason: str,
                 complete: bool) -> list[str]:  # fmt: skip
    """What is wrong with one figure. ``complete`` asks for the required figures (on submission)."""
    errors: list[str] = []
    if indicator.kind == IndicatorKind.TEXT:
        if complete and indicator.required and not (text or "").strip():
            errors.append(_("This figure is required."))
        return errors
    if reported is None:
        if complete and indicator.required:
            errors.append(_("This figure is required."))
        return errors
    if indicator.min_value is not None and reported < indicator.min_value:
        errors.append(_("The figure cannot be below %(min)s.") % {"min": display(indicator.min_value, indicator.kind)})
    if indicator.max_value is not None and reported > indicator.max_value:
        errors.append(_("The figure cannot be above %(max)s.") % {"max": display(indicator.max_value, indicator.kind)})
    if system is not None and reported != system and not (reason or "").strip():
        errors.append(
            _("The figure differs from the system's (%(system)s): give the reason.")
            % {"system": display(system, indicator.kind)}
        )
    return errors


def display(value: Decimal | None, kind: str) -> str:
    """A figure as people read it: 2.080.000.000, 12,5."""
    if value is None:
        return ""
    if value == value.to_integral_value():
        return f"{int(value):,}".replace(",", ".")
    text = f"{value.normalize():f}"
    whole, _dot, fraction = text.partition(".")
    return f"{int(whole):,}".replace(",", ".") + ("," + fraction if fraction else "")
