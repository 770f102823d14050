"""Computations on plans that pages, the API, exports and other domains call.

The projects and finance domains read a plan through these functions: ``version_in_force`` (the
latest approved version of a plan), ``plan_lines`` / ``line_rows`` (the line tree with group
sums), ``budget_by_source`` and ``line_total`` (money per funding source and in total), and
``version_diff`` (what a version changed). Amounts are whole đồng.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from khuyencong.planning.diff import LineFacts, VersionDiff, diff_lines
from khuyencong.planning.models import AnnualPlan, FundingSource, PlanLine, PlanVersion


@dataclass(frozen=True)
class LineRow:
    """A line as the tree shows it: its depth and, for a group row, the sum of its rows."""

    line: PlanLine
    depth: int
    amount: int  # its own amount, or the sum of its rows for a group row
    leaf: bool


def plan_lines(version: PlanVersion) -> list[PlanLine]:
    """The lines of ``version`` in order, with what a page or export shows (one query)."""
    return list(version.lines.select_related("content", "implementing_unit", "province").order_by("position", "pk"))


def line_rows(lines: Sequence[PlanLine]) -> list[LineRow]:
    """The lines as a tree in reading order: each parent followed by its rows, group sums computed."""
    children: dict[int | None, list[PlanLine]] = defaultdict(list)
    ids = {line.pk for line in lines}
    for line in lines:
        children[line.parent_id if line.parent_id in ids else None].append(line)

    def subtotal(line: PlanLine) -> int:
        rows = children.get(line.pk)
        return line.amount if not rows else sum(subtotal(row) for row in rows)

    out: list[LineRow] = []

    def walk(parent: int | None, depth: int) -> None:
        for line in children.get(parent, []):
            leaf = not children.get(line.pk)
            out.append(LineRow(line, depth, subtotal(line), leaf))
            walk(line.pk, depth + 1)

    walk(None, 0)
    return out


def leaves(lines: Sequence[PlanLine]) -> list[PlanLine]:
    parents = {line.parent_id for line in lines if line.parent_id}
    return [line for line in lines if line.pk not in parents]


def line_total(lines: Sequence[PlanLine]) -> int:
    """The money of a version: the sum of the rows without children."""
    return sum(line.amount for line in leaves(lines))


def budget_by_source(lines: Sequence[PlanLine]) -> list[tuple[str, str, int]]:
    """(funding source, its label, amount) for each source with money, in the catalogue order."""
    sums: dict[str, int] = defaultdict(int)
    for line in leaves(lines):
        sums[line.funding_source] += line.amount
    return [(value, str(label), sums[value]) for value, label in FundingSource.choices if sums.get(value)]


def facts(lines: Sequence[PlanLine]) -> list[LineFacts]:
    parents = {line.parent_id for line in lines if line.parent_id}
    rows = {row.line.pk: row for row in line_rows(lines)}
    return [
        LineFacts(
            key=line.key,
            number=line.number,
            name=line.name,
            amount=rows[line.pk].amount if line.pk in rows else line.amount,
            content_code=line.content.code if line.content is not None else "",
            funding_source=line.funding_source,
            disruption=line.disruption,
            leaf=line.pk not in parents,
        )
        for line in lines
    ]


def previous_version(version: PlanVersion) -> PlanVersion | None:
    return (
        PlanVersion.objects.filter(plan_id=version.plan_id, sequence__lt=version.sequence).order_by("-sequence").first()
    )


def version_diff(version: PlanVersion, previous: PlanVersion | None = None) -> VersionDiff | None:
    """What ``version`` changed against the one before it (None for the first version)."""
    previous = previous if previous is not None else previous_version(version)
    if previous is None:
        return None
    return diff_lines(facts(plan_lines(previous)), facts(plan_lines(version)))


def diffs_of(versions: Iterable[PlanVersion]) -> dict[int, VersionDiff]:
    """The diff of each version against the one before it, reading every version's lines once."""
    ordered = sorted(versions, key=lambda v: v.sequence)
    lines: dict[int, list[PlanLine]] = defaultdict(list)
    query = PlanLine.objects.filter(plan_version__in=[v.pk for v in ordered]).select_related("content")
    for line in query.order_by("position", "pk"):
        lines[line.plan_version_id].append(line)
    out: dict[int, VersionDiff] = {}
    for before, after in itertools.pairwise(ordered):
        out[after.pk] = diff_lines(facts(lines[before.pk]), facts(lines[after.pk]))
    return out


def version_in_force(plan: AnnualPlan) -> PlanVersion | None:
    """The latest approved version of ``plan`` (what is being carried out), or None."""
    return plan.versions.filter(status=PlanVersion.Status.APPROVED).order_by("-sequence").first()


def draft_of(plan: AnnualPlan) -> PlanVersion | None:
    return plan.versions.filter(status=PlanVersion.Status.DRAFT).first()


def format_total(lines: Sequence[PlanLine]) -> str:
    from khuyencong.kernel.money import format_vnd

    return format_vnd(line_total(lines))
