"""What changed between two versions of a plan: a pure function over plain line facts.

Lines are matched by their ``key`` (kept when a draft copies the version before it), so a line
whose amount changed is one change, not a removal plus an addition. Totals count the rows that
carry money (rows without children), as everywhere in the plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

COMPARED = ("amount", "name", "number", "content_code", "funding_source", "disruption")
LEAF_ONLY = ("amount", "funding_source")  # a group row's money is its rows'; so is its source


@dataclass(frozen=True)
class LineFacts:
    """What a diff needs to know of one plan line."""

    key: str
    number: str
    name: str
    amount: int
    content_code: str = ""
    funding_source: str = ""
    disruption: str = ""
    leaf: bool = True


@dataclass(frozen=True)
class LineChange:
    before: LineFacts
    after: LineFacts
    fields: tuple[str, ...]

    @property
    def delta(self) -> int:
        return self.after.amount - self.before.amount if self.after.leaf and self.before.leaf else 0


@dataclass(frozen=True)
class VersionDiff:
    added: tuple[LineFacts, ...] = ()
    removed: tuple[LineFacts, ...] = ()
    changed: tuple[LineChange, ...] = ()
    total_before: int = 0
    total_after: int = 0
    unchanged: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def delta(self) -> int:
        return self.total_after - self.total_before

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def total(lines: Iterable[LineFacts]) -> int:
    return sum(line.amount for line in lines if line.leaf)


def diff_lines(before: Sequence[LineFacts], after: Sequence[LineFacts]) -> VersionDiff:
    """Lines added, removed and changed from ``before`` to ``after``, and both totals.

    A group row's amount is the sum of its rows, so only the amount (and funding source) of rows
    carrying money is compared; names, numbers, contents, funding sources and disruption flags of every row are.
    """
    old = {line.key: line for line in before}
    new = {line.key: line for line in after}
    added = tuple(line for line in after if line.key not in old)
    removed = tuple(line for line in before if line.key not in new)
    changed: list[LineChange] = []
    unchanged = 0
    for line in after:
        previous = old.get(line.key)
        if previous is None:
            continue
        fields = tuple(
            name
            for name in COMPARED
            if getattr(previous, name) != getattr(line, name)
            and not (name in LEAF_ONLY and not (previous.leaf and line.leaf))
        )
        if fields:
            changed.append(LineChange(previous, line, fields))
        else:
            unchanged += 1
    return VersionDiff(
        added=added,
        removed=removed,
        changed=tuple(changed),
        total_before=total(before),
        total_after=total(after),
        unchanged=unchanged,
    )
