"""Money is integer đồng everywhere; these helpers only format it for people."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def _group(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def format_vnd(amount: int | Decimal | None, *, unit: str = " đ") -> str:
    """2080000000 -> '2.080.000.000 đ' (Vietnamese grouping with dots)."""
    if amount is None:
        return ""
    value = int(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}{_group(abs(value))}{unit}"


def format_vnd_short(amount: int | Decimal | None) -> str:
    """A summary figure: 2080000000 -> '2,08 tỷ đồng', 350000000 -> '350 triệu đồng'."""
    if amount is None:
        return ""
    value = Decimal(int(amount))
    for size, label in ((Decimal(10**9), "tỷ đồng"), (Decimal(10**6), "triệu đồng")):
        if abs(value) >= size:
            scaled = (value / size).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            text = f"{scaled:f}".rstrip("0").rstrip(".")
            return f"{text.replace('.', ',')} {label}"
    return format_vnd(value, unit=" đồng")


def format_percent(numerator: int, denominator: int, digits: int = 2) -> str:
    """A rate such as 5,74% (Vietnamese decimal comma); '—' when nothing to divide by."""
    if not denominator:
        return "—"
    rate = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP
    )
    return f"{rate:f}".replace(".", ",") + "%"
