"""How much of a project's support signed contracts already commit: a budget adjustment may not go
below it (``projects.adjust.register_commitment``; registered from ``AdjustmentsConfig.ready``
when the contracts app is installed)."""

from __future__ import annotations

from django.db.models import Sum

from khuyencong.projects.models import Project


def contracted(project: Project) -> int:
    """The signed (or amended) main contract's value, or the support contracts' total if higher."""
    from khuyencong.contracts.models import Contract, ContractKind, ContractState

    rows = Contract.objects.filter(project=project, state__in=[ContractState.SIGNED, ContractState.AMENDED])
    main = rows.filter(kind=ContractKind.MAIN).aggregate(total=Sum("value"))["total"] or 0
    support = rows.filter(kind=ContractKind.SUPPORT).aggregate(total=Sum("value"))["total"] or 0
    return max(main, support)
