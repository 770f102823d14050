"""Parameter types stricter than pydantic's lax defaults, so that what the spec says is what passes."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import BeforeValidator

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date_only(value):
    # Lax pydantic reads "0" or "1700000000" as a Unix timestamp (1/1/1970...); a date is YYYY-MM-DD.
    if isinstance(value, str) and not _ISO_DATE.match(value.strip()):
        raise ValueError("Use a date in the form YYYY-MM-DD.")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_only)]
