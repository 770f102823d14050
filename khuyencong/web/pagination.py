"""Pagination that never counts a big table in full.

The total is counted up to ``cap`` rows (``SELECT COUNT(*) FROM (… LIMIT cap+1)``); beyond that the
page shows "more than 10.000" and offers next/previous instead of a last-page link.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property


@dataclass
class CappedPage:
    object_list: list
    number: int
    per_page: int
    total: int | None  # exact when not capped, else cap; None when not counted
    capped: bool
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return 0 if not self.object_list else (self.number - 1) * self.per_page + 1

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)

    @property
    def counted(self) -> bool:
        return self.total is not None

    @cached_property
    def num_pages(self) -> int | None:
        if self.capped or self.total is None:
            return None
        return max(1, -(-self.total // self.per_page))


def capped_page(
    queryset, page_param: str | None, per_page: int, cap: int = 10_000, *, count: bool = True
) -> CappedPage:
    """One page; ``count=False`` skips the count (the search-as-you-type partial: the user is still
    typing, and a count is often the costlier of the two queries)."""
    try:
        number = max(1, int(page_param or 1))
    except ValueError:
        number = 1
    number = min(number, cap // per_page + 1)  # past the cap there is nothing to show anyway
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    if not rows and number > 1:
        return capped_page(queryset, "1", per_page, cap, count=count)
    if number == 1 and not has_next:
        return CappedPage(rows, number, per_page, len(rows), False, False)  # the page is the whole result
    if not count:
        return CappedPage(rows, number, per_page, None, False, has_next)
    counted = queryset.order_by()[: cap + 1].count()
    capped = counted > cap
    return CappedPage(rows, number, per_page, cap if capped else counted, capped, has_next)
