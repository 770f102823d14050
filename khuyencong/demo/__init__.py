"""Demo data a newcomer can explore: ``khuyencong demo`` (and ``make run``) loads it.

Deterministic (a fixed seed) and idempotent (records carry ``demo-`` keys and are only added when
missing), so running it again changes nothing. Each domain adds a module here and a step to
``load_all``; the accounts come first because every record is written on someone's behalf.
"""

from __future__ import annotations

from khuyencong.demo.appraisal import load_appraisal
from khuyencong.demo.attachments import load_attachments
from khuyencong.demo.contracts import load_contracts
from khuyencong.demo.documents import load_documents
from khuyencong.demo.finance import load_finance
from khuyencong.demo.history import load_history
from khuyencong.demo.inspections import load_inspections
from khuyencong.demo.notifications import load_notifications
from khuyencong.demo.planning import load_planning
from khuyencong.demo.projects import load_projects
from khuyencong.demo.registry import load_own_record, load_registry
from khuyencong.demo.reporting import load_reporting
from khuyencong.demo.rulebook import load_rulebook
from khuyencong.demo.settlement import load_settlement


def load_all(*, establishments: int | None = None) -> dict:
    """Load accounts and every domain's demo records; returns what was there and what was added."""
    from khuyencong.organisation.demo import load_demo

    accounts = load_demo()
    registry = load_registry(establishments=establishments)
    own = load_own_record()  # even for an empty registry: the establishment account's own record
    planning = load_planning()
    rulebook = load_rulebook()
    projects = load_projects() if registry["establishments"] else {"projects": 0, "added": 0}
    history = load_history() if registry["establishments"] else {"added": 0}  # more provinces, 2021–2025
    # After the projects demo: contracts for the projects it left contracted or further along.
    contracts = load_contracts()
    finance = load_finance()  # after the contracts: allocations, then the ledger of contracted projects
    inspections = load_inspections()  # after the projects demo: its missions visit the 2022 national projects
    appraisal = load_appraisal()  # after the projects demo when present: it reviews their submitted projects
    # After the contracts (and the money demo when present): acceptance records and settlements.
    settlement = load_settlement()
    reporting = load_reporting()  # after the projects demo: its reports are pre-filled from the projects
    attachments = load_attachments()  # after the records they are attached to
    documents = load_documents()  # after every record its reports read
    notifications = load_notifications()  # last: its links point at the records loaded above
    return {
        "accounts": accounts,
        "registry": registry,
        "own_record": own.name if own else None,
        "planning": planning,
        "rulebook": rulebook,
        "projects": projects,
        "history": history,
        "contracts": contracts,
        "finance": finance,
        "inspections": inspections,
        "appraisal": appraisal,
        "settlement": settlement,
        "reporting": reporting,
        "attachments": attachments,
        "documents": documents,
        "notifications": notifications,
    }
