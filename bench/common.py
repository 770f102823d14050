"""The one result shape every benchmark hands to ``bench/all.py`` (``make bench``).

A runner keeps its own detailed report (``bench/results/<name>.md``) and, at the end, writes its
summary rows with :func:`write_cases`: one :class:`Case` per line of the common table (case, backend,
ours median, baseline median, ratio, aim, met or not) as JSON into ``var/bench/results/cases/``.
``bench/all.py`` runs the runners, reads every case file written during its run and prints one table.

Adding a case is a few lines in a runner::

    from common import Case, write_cases

    write_cases("import", [Case("import", "dry run, 100,000 rows", "SQLite", ours=dry_s * 1000,
                                baseline=read_s * 1000, baseline_name="calamine read", limit=2.0)])

A case is met when ``ours <= limit × baseline + slack`` (both in ``unit``), unless the runner sets
``met`` itself (an aim that is not a ratio).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "var" / "bench" / "results"
CASES = RAW / "cases"


@dataclass
class Case:
    capability: str  # registry, projects, finance, dashboard, import, documents, …
    name: str  # what a user does, e.g. "browse nationwide"
    backend: str  # "PostgreSQL 15", "SQLite", or "—" where the database does not matter
    ours: float | None  # median, in ``unit``
    baseline: float | None  # median of the baseline, same unit, same run
    baseline_name: str  # what the baseline is: "its SQL", "admin", "bare SQL GROUP BY", "calamine read"
    limit: float | None = None  # aim: ours ≤ limit × baseline + slack
    slack: float = 0.0
    unit: str = "ms"
    met: bool | None = None  # computed from limit/slack unless the runner decides
    aim: str = ""  # the aim in words; computed from limit/slack when empty
    note: str = ""
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.aim and self.limit is not None:
            self.aim = f"≤ {self.limit:g}×" + (f" + {self.slack:g} {self.unit}" if self.slack else "")
        if self.met is None and self.limit is not None and self.ours is not None and self.baseline is not None:
            self.met = self.ours <= self.limit * self.baseline + self.slack

    @property
    def ratio(self) -> float | None:
        if self.ours is None or not self.baseline:
            return None
        return self.ours / self.baseline


def backend_label(connection) -> str:
    """The label of a Django connection's database: "PostgreSQL 15" or "SQLite"."""
    if connection.vendor != "postgresql":
        return "SQLite"
    number = connection.cursor().connection.info.server_version
    return f"PostgreSQL {number // 10000}"


def write_cases(runner: str, cases: list[Case], *, backend: str = "", meta: dict | None = None, when: str = "") -> Path:
    """Write a runner's summary rows for ``bench/all.py`` (one file per runner and backend)."""
    CASES.mkdir(parents=True, exist_ok=True)
    slug = "-".join(filter(None, [runner, backend.split()[0].lower() if backend not in ("", "—") else ""]))
    path = CASES / f"{slug}.json"
    payload = {
        "runner": runner,
        "when": when or f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "machine": machine(),
        "meta": meta or {},
        "cases": [{**asdict(c), "ratio": c.ratio} for c in cases],
    }
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def read_cases(since: float = 0.0) -> list[dict]:
    """Every case file (optionally only those written after ``since``, a POSIX time), runner order kept."""
    out = []
    for path in sorted(CASES.glob("*.json")) if CASES.exists() else []:
        mtime = path.stat().st_mtime
        if mtime >= since:
            out.append({**json.loads(path.read_text(encoding="utf-8")), "file": path.stem, "mtime": mtime})
    return out


def machine() -> str:
    load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    return f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}{load}"


def number(value: float | None, unit: str = "ms") -> str:
    if value is None:
        return "—"
    if unit in ("rows/s",):
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def render_table(files: list[dict]) -> list[str]:
    """The one markdown table: a line per case, ordered as the runners ran."""
    lines = [
        "| capability | case | backend | ours | baseline | baseline is | ratio | aim | met | size, notes |",
        "|---|---|---|--:|--:|---|--:|---|:-:|---|",
    ]
    for payload in files:
        for c in payload["cases"]:
            unit = c.get("unit", "ms")
            ratio = f"{c['ratio']:.2f}×" if c.get("ratio") is not None else "—"
            met = {True: "✓", False: "✗", None: "—"}[c.get("met")]
            ours = number(c["ours"], unit) + f" {unit}" if c["ours"] is not None else "—"
            base = number(c["baseline"], unit) + f" {unit}" if c["baseline"] is not None else "—"
            lines.append(
                f"| {c['capability']} | {c['name']} | {c['backend']} | {ours} | {base} | {c['baseline_name']} "
                f"| {ratio} | {c.get('aim') or '—'} | {met} | {c.get('note', '')} |"
            )
    return lines
