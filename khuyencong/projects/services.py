"""What the rulebook and the registry say about a project: norms on the relevant date, eligibility.

``check_project(project, on=…)`` returns findings: a support above the spending norm in force on
the date (refused, with the rule and its legal document; only a warning where the rule is still
to be confirmed), a beneficiary the eligibility rule in force does not cover (refused; a warning
when the registry cannot tell), a norm the rulebook cannot pick (a warning asking which). The
submit and approve steps refuse on the first blocking finding; pages show them all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from khuyencong.kernel.money import format_vnd
from khuyencong.projects.models import BeneficiaryLine, Project
from khuyencong.registry.eligibility import NOT_ELIGIBLE, UNDECIDED, eligibility
from khuyencong.registry.models import EligibilityRule
from khuyencong.rulebook.models import SpendingNorm
from khuyencong.rulebook.services import applicable_rule, check_support


@dataclass(frozen=True)
class Finding:
    """One thing a check found on a project or one of its beneficiary lines."""

    code: str  # over_norm, not_eligible, eligibility_undecided, norm_ambiguous, support_mismatch
    message: str
    blocking: bool
    line_id: int | None = None
    details: dict = field(default_factory=dict)


def norm_date(project: Project) -> dt.date:
    """The date whose rules a project is checked against: when it was submitted (the rulebook
    in force when the proposal was made), else today for a draft."""
    return project.submitted_on or timezone.localdate()


def applicable_norm(project: Project, *, on: dt.date, disadvantaged: bool | None = None):
    """The spending norm for the project's content, kind, level and place on ``on``."""
    return applicable_rule(
        SpendingNorm,
        on=on,
        level=project.level,
        province=project.province,
        content=project.content,
        code=project.norm_code or None,
        kind=project.kind,
        disadvantaged=disadvantaged,
    )


def _line_findings(project: Project, line: BeneficiaryLine, on: dt.date, norms: dict) -> Iterable[Finding]:
    establishment = line.establishment
    # One rulebook lookup per area kind, not per line: the project page stays a bounded number of queries.
    area = establishment.disadvantaged_area
    if area not in norms:
        norms[area] = applicable_norm(project, on=on, disadvantaged=area)
    answer = norms[area]
    if answer.rule is not None:
        norm = answer.rule
        result = check_support(norm, eligible_cost=line.eligible_cost, support=line.support, full_line=line.full_line)
        if not result.ok:
            unconfirmed = norm.unconfirmed
            message = _("%(establishment)s: %(problem)s (%(basis)s, in force on %(date)s)") % {
                "establishment": establishment.name,
                "problem": result.message,
                "basis": norm.legal_document,
                "date": on.strftime("%d/%m/%Y"),
            }
            if unconfirmed:
                message = _("%(message)s The norm is still to be confirmed, so this is a warning.") % {
                    "message": message
                }
            yield Finding(
                "over_norm",
                message,
                blocking=not unconfirmed,
                line_id=line.pk,
                details={
                    "rule_id": norm.pk,
                    "rule": norm.name,
                    "legal_document": str(norm.legal_document),
                    "allowed": result.allowed,
                    "requested": result.requested,
                },
            )
    elif answer.reason == "ambiguous":
        yield Finding(
            "norm_ambiguous",
            _("Several spending norms apply to this content; choose the project's norm to check the support."),
            blocking=False,
            details={"candidates": sorted({rule.code for rule in answer.candidates})},
        )
    if "eligibility_rule" not in norms:
        norms["eligibility_rule"] = EligibilityRule.in_force(on)
    verdict = eligibility(establishment, on, rule=norms["eligibility_rule"])
    if verdict.status == NOT_ELIGIBLE:
        yield Finding(
            "not_eligible",
            _("%(establishment)s is not eligible on %(date)s: %(reason)s")
            % {"establishment": establishment.name, "date": on.strftime("%d/%m/%Y"), "reason": verdict.message},
            blocking=True,
            line_id=line.pk,
            details={"reason": verdict.reason},
        )
    elif verdict.status == UNDECIDED:
        yield Finding(
            "eligibility_undecided",
            _("%(establishment)s: eligibility cannot be decided (%(reason)s).")
            % {"establishment": establishment.name, "reason": verdict.message},
            blocking=False,
            line_id=line.pk,
            details={"reason": verdict.reason},
        )


def check_project(project: Project, *, on: dt.date | None = None) -> list[Finding]:
    """Every finding on ``project`` under the rules in force on ``on`` (default: :func:`norm_date`)."""
    on = on or norm_date(project)
    lines = list(
        project.beneficiaries.select_related(
            "establishment__commune__province",
            "establishment__commune__district",
            "establishment__legacy_commune__province",
            "establishment__legacy_commune__district",
            "establishment__craft_village",
        )
    )
    findings: list[Finding] = []
    seen_ambiguous = False
    norms: dict = {}
    for line in lines:
        for finding in _line_findings(project, line, on, norms):
            if finding.code == "norm_ambiguous":
                if seen_ambiguous:
                    continue
                seen_ambiguous = True
            findings.append(finding)
    if lines:
        total = sum(line.support for line in lines)
        if total != project.support_amount:
            findings.append(
                Finding(
                    "support_mismatch",
                    _("The beneficiaries' support adds up to %(lines)s, the project asks for %(project)s.")
                    % {"lines": format_vnd(total), "project": format_vnd(project.support_amount)},
                    blocking=False,
                )
            )
    return findings


def blocking(findings: Iterable[Finding]) -> Finding | None:
    return next((finding for finding in findings if finding.blocking), None)


def totals_of_lines(project: Project) -> dict[str, int]:
    """Eligible cost, support and counterpart summed over the beneficiary lines."""
    totals = {"eligible_cost": 0, "support": 0, "counterpart": 0}
    for line in project.beneficiaries.all():
        totals["eligible_cost"] += line.eligible_cost
        totals["support"] += line.support
        totals["counterpart"] += line.counterpart
    return totals
