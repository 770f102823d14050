"""Every model of the project is change-logged, or is exempt here with the reason."""

from __future__ import annotations

from django.apps import apps

from khuyencong.kernel.audit import ChangeLoggedModel

EXEMPT = {
    # The log itself.
    "audit.objectchange": "the change log",
    "audit.accesslog": "the access log",
    # Operational record of background work; its start and result are logged as access rows.
    "jobs.job": "operational record, not business data",
    "documents.generateddocument": "the log of generated files itself: written once, never edited",
    # Messages to one person and the record of their daily digest: per-recipient, high-volume, and
    # written by the system (reminders, after-commit effects of actions that are themselves logged).
    "notifications.notification": "per-recipient message, not business data",
    "notifications.digestrun": "operational record of the daily digest e-mail",
    # Says a database holds demo or benchmark data (khuyencong gen-data); written by commands, not users.
    "kernel.databasemark": "operational marker of a demo or benchmark database",
    # The stored answer of an API create sent with an Idempotency-Key: a replay cache of a write that
    # is itself logged, purged after a few days by the housekeeping.
    "kernel.idempotentrequest": "replay cache of logged API creates, purged after days",
    # The money's running balances (ADR 0007): derived from the ledger entries and allocations (which
    # are logged) in the same transaction; `khuyencong check-ledger` recomputes them from the entries.
    "finance.account": "balances derived from the logged ledger entries",
    # Reference data generated from the legal resolutions and loaded in bulk by `khuyencong migrate`
    # (13,000+ communes); a change comes as a new data release reviewed in git, not as an edit.
    "territory.region": "reference data versioned in git",
    "territory.province": "reference data versioned in git",
    "territory.district": "reference data versioned in git",
    "territory.commune": "reference data versioned in git",
}


def _is_a_log(model) -> bool:
    # Transition records (kernel lifecycle) are themselves an append-only log of decisions.
    return any(base.__name__ == "TransitionRecord" for base in model.__mro__)


def _project_models():
    return [m for m in apps.get_models() if m.__module__.startswith("khuyencong.")]


def test_every_model_is_change_logged_or_exempt_with_a_reason():
    missing = sorted(
        m._meta.label_lower
        for m in _project_models()
        if not issubclass(m, ChangeLoggedModel) and m._meta.label_lower not in EXEMPT and not _is_a_log(m)
    )
    assert missing == [], f"change-log these models (inherit ChangeLoggedModel) or exempt them: {missing}"


def test_the_exemptions_name_existing_models_that_are_not_logged():
    labels = {m._meta.label_lower: m for m in _project_models()}
    assert set(EXEMPT) <= set(labels)
    assert not any(issubclass(labels[label], ChangeLoggedModel) for label in EXEMPT)
