"""Which role may do which action, on which resource. One table, read top to bottom.

Actions are names: the generic ``view``, ``add``, ``change``, ``delete`` and ``export``, and any
domain action a resource needs (``merge``, ``dismiss``, later ``submit``, ``appraise``,
``approve``, ``pay``…). Where the role may act comes from the org unit its assignment is bound
to (see ``services.reach_of``), not from this table. Later domains add their resources here so
the whole matrix stays reviewable in one place; ``tests/organisation/test_permissions.py``
fails when a key names no installed model or a scoped model has no row.
"""

from __future__ import annotations

from khuyencong.organisation.models import Role

R = Role

VIEW, ADD, CHANGE, DELETE, EXPORT = "view", "add", "change", "delete", "export"
GENERIC_ACTIONS = frozenset({VIEW, ADD, CHANGE, DELETE, EXPORT})
ALL = frozenset(GENERIC_ACTIONS)
READ = frozenset({VIEW})
READ_EXPORT = frozenset({VIEW, EXPORT})

# Establishments and craft villages: provinces keep their own registry; the agency sees all of it.
REGISTRY_RECORDS: dict[str, frozenset[str]] = {
    R.SYSTEM_ADMIN: ALL,
    R.AGENCY_OFFICER: ALL,
    R.AGENCY_LEADER: READ_EXPORT,
    R.REGIONAL_OFFICER: READ_EXPORT,
    R.PROVINCIAL_OFFICER: ALL,
    R.PROVINCIAL_LEADER: READ_EXPORT,
    R.PROVINCIAL_FINANCE: READ,
    R.IMPLEMENTER: READ_EXPORT,
    R.INSPECTOR: READ_EXPORT,
    R.VIEWER: READ,
}

# An establishment's own account: only the record linked to its org unit (``Establishment.org_unit``),
# read on its own page and kept up to date in a few fields (registry.actions.OWN_RECORD_FIELDS).
VIEW_OWN, UPDATE_OWN = "view_own", "update_own"
OWN_RECORD = frozenset({VIEW_OWN, UPDATE_OWN})

# Managing accounts and role assignments in the app (organisation/actions.py). Where: a system
# administrator everywhere; a provincial leader the users of their province, granting provincial
# roles only (actions.PROVINCIAL_GRANTABLE).
USER_MANAGEMENT = frozenset(
    {
        "create_user", "edit_user", "assign_role", "end_assignment",
        "deactivate_user", "reactivate_user", "reset_password",
    }
)  # fmt: skip

# Deciding a duplicate candidate: "change" (kept for the existing pages) or the named decisions.
DUPLICATE_DECISIONS = frozenset({VIEW, CHANGE, "merge", "dismiss"})

# Legal documents and the rulebook: public law, read by every role, nationwide (the selectors do
# not restrict reads by reach). Writing is a named action by jurisdiction: ``write_national`` for
# national texts and rules (system administrators, the Agency's leadership), ``write_local`` for a
# province's own resolution and norms (its provincial leadership, within the reach of the unit
# the role is bound to; system administrators everywhere). A provincial leader cannot write a
# national rule and the Agency cannot write a province's norms.
WRITE_NATIONAL, WRITE_LOCAL = "write_national", "write_local"
RULEBOOK_RECORDS: dict[str, frozenset[str]] = {
    **dict.fromkeys(R.values, READ_EXPORT),
    R.SYSTEM_ADMIN: READ_EXPORT | {WRITE_NATIONAL, WRITE_LOCAL},
    R.AGENCY_LEADER: READ_EXPORT | {WRITE_NATIONAL},
    R.PROVINCIAL_LEADER: READ_EXPORT | {WRITE_LOCAL},
}

# Programmes and annual plans: the agency keeps the national ones, each province its local ones
# (reach decides which); every planning reader reads the national ones (``scope_shared_rows``).
# Closing a plan is the officers'; approving a version (with its decision) the leaders'.
PLANS: dict[str, frozenset[str]] = {
    R.SYSTEM_ADMIN: ALL | {"close"},
    R.AGENCY_OFFICER: ALL | {"close"},
    R.AGENCY_LEADER: READ_EXPORT,
    R.REGIONAL_OFFICER: READ_EXPORT,
    R.PROVINCIAL_OFFICER: ALL | {"close"},
    R.PROVINCIAL_LEADER: READ_EXPORT,
    R.PROVINCIAL_FINANCE: READ,
    R.IMPLEMENTER: READ,
    R.INSPECTOR: READ_EXPORT,
    R.VIEWER: READ,
}
PLAN_VERSIONS: dict[str, frozenset[str]] = {
    R.SYSTEM_ADMIN: READ_EXPORT | {CHANGE, "approve", "approve_local"},
    R.AGENCY_OFFICER: READ_EXPORT | {CHANGE},
    R.AGENCY_LEADER: READ_EXPORT | {"approve"},
    R.REGIONAL_OFFICER: READ_EXPORT,
    R.PROVINCIAL_OFFICER: READ_EXPORT | {CHANGE},
    R.PROVINCIAL_LEADER: READ_EXPORT | {"approve", "approve_local"},
    R.PROVINCIAL_FINANCE: READ,
    R.IMPLEMENTER: READ,
    R.INSPECTOR: READ_EXPORT,
    R.VIEWER: READ,
}

# Projects (đề án): each step of the lifecycle is a named action (projects/actions.py). Where the
# actor differs by level the name says so: the Agency approves, contracts, settles and closes
# national projects (``approve``, ``contract``, ``settle``, ``close``); the province its local ones
# (``…_local``); the Agency's appraisal is ``appraise_national``, the Department's ``appraise``.
# An implementer reaches only the projects of its own unit (``ORG_UNIT_ONLY``).
PROJECT_STEPS_IMPLEMENTER = frozenset({"submit", "start", "accept", "submit_settlement", "propose_adjustment"})
# Unit scorecards (dashboards/scorecards.py), the evaluation of units and provinces as a basis for
# commendation, read where the role reaches projects (the Agency every unit, a province its own, an
# implementer only its own unit: ``ORG_UNIT_ONLY``): ``view_scorecard`` for the page and the API,
# ``export_scorecard`` for the Excel file. The provincial finance department settles accounts and
# does not evaluate units; the read-only viewer reads them without exporting.
VIEW_SCORECARD, EXPORT_SCORECARD = "view_scorecard", "export_scorecard"
SCORECARDS = frozenset({VIEW_SCORECARD, EXPORT_SCORECARD})
PROJECTS: dict[str, frozenset[str]] = {
    R.SYSTEM_ADMIN: ALL
    | PROJECT_STEPS_IMPLEMENTER
    | SCORECARDS
    | {
        "appraise", "send_to_agency", "appraise_national", "approve", "approve_local", "contract",
        "contract_local", "settle", "settle_local", "close", "close_local", "confirm_adjustment",
        "approve_adjustment", "approve_adjustment_local",
    },
    R.AGENCY_OFFICER: ALL | SCORECARDS | {"submit", "appraise_national", "contract", "start", "accept", "settle",
                                          "close", "propose_adjustment"},
    R.AGENCY_LEADER: READ_EXPORT | SCORECARDS | {"approve", "approve_adjustment"},
    R.REGIONAL_OFFICER: READ_EXPORT | {ADD, CHANGE} | PROJECT_STEPS_IMPLEMENTER | SCORECARDS,
    R.PROVINCIAL_OFFICER: ALL | SCORECARDS | {"submit", "appraise", "send_to_agency", "contract_local", "start",
                                              "accept", "settle_local", "close_local", "propose_adjustment",
                                              "confirm_adjustment"},
    R.PROVINCIAL_LEADER: READ_EXPORT | SCORECARDS | {"send_to_agency", "approve_local", "confirm_adjustment",
                                                     "approve_adjustment_local"},
    R.PROVINCIAL_FINANCE: READ | {"settle_local"},
    R.IMPLEMENTER: frozenset({VIEW, ADD, CHANGE, EXPORT}) | PROJECT_STEPS_IMPLEMENTER | SCORECARDS,
    R.INSPECTOR: READ_EXPORT | SCORECARDS,
    R.VIEWER: READ | {VIEW_SCORECARD},
}  # fmt: skip

# Adjustments of approved projects (adjustments/actions.py): the same named actions as on the
# project (propose by the implementer, confirm by the Department, approve by the Agency or, for a
# local project, the province), reached through the project (its province; an implementer its unit).
ADJUSTMENT_ACTIONS = frozenset({"propose_adjustment", "confirm_adjustment", "approve_adjustment",
                                "approve_adjustment_local"})  # fmt: skip
ADJUSTMENTS: dict[str, frozenset[str]] = {
    role: (actions & (ADJUSTMENT_ACTIONS | READ_EXPORT)) for role, actions in PROJECTS.items()
}

# Contracts (hợp đồng) of projects (contracts/actions.py). Who writes a contract depends on its kind
# and the project's level, each a named action besides the generic ones: ``main`` (national main
# contracts: the Agency), ``main_local`` (local main contracts: the Department), ``support``
# (support contracts with beneficiaries: the implementing unit, for its own projects only,
# ``ORG_UNIT_ONLY``). Signing a main contract also takes the project's ``contract`` /
# ``contract_local`` step, which the signer must hold on the project.
CONTRACT_WRITE = frozenset({VIEW, ADD, CHANGE, DELETE, EXPORT})
CONTRACTS: dict[str, frozenset[str]] = {
    R.SYSTEM_ADMIN: CONTRACT_WRITE | {"main", "main_local", "support"},
    R.AGENCY_OFFICER: CONTRACT_WRITE | {"main"},
    R.AGENCY_LEADER: READ_EXPORT,
    R.REGIONAL_OFFICER: READ_EXPORT,
    R.PROVINCIAL_OFFICER: CONTRACT_WRITE | {"main_local"},
    R.PROVINCIAL_LEADER: READ_EXPORT,
    R.PROVINCIAL_FINANCE: READ_EXPORT,
    R.IMPLEMENTER: CONTRACT_WRITE | {"support"},
    R.INSPECTOR: READ_EXPORT,
    R.VIEWER: READ,
}

# Appraisal councils (appraisal/actions.py): a Department's council is managed by its province's
# officers (``manage_local``, by reach), the Agency's councils by the Agency's officers
# (``manage_national``, nationwide). Managing covers members, criteria, projects, any member's
# sheet and the conclusions (which also need the project's ``appraise`` / ``appraise_national``).
# A member scores their own sheet by holding the seat, whatever the role; leaders and inspectors read.
MANAGE_LOCAL, MANAGE_NATIONAL = "manage_local", "manage_national"
COUNCILS: dict[str, frozenset[str]] = {
    R.SYSTEM_ADMIN: READ_EXPORT | {MANAGE_LOCAL, MANAGE_NATIONAL},
    R.AGENCY_OFFICER: READ_EXPORT | {MANAGE_NATIONAL},
    R.AGENCY_LEADER: READ_EXPORT,
    R.REGIONAL_OFFICER: READ,
    R.PROVINCIAL_OFFICER: READ_EXPORT | {MANAGE_LOCAL},
    R.PROVINCIAL_LEADER: READ_EXPORT,
    R.PROVINCIAL_FINANCE: READ,
    R.INSPECTOR: READ_EXPORT,
    R.VIEWER: READ,
}

# Inspections (inspections/actions.py): missions (đoàn kiểm tra) are created and run by the
# Agency's officers and inspectors for national plans (``inspect_national``) and by a Department's
# officers for their province's local plans (``inspect_local``), within their reach; a mission
# reaches the provinces it goes to. Visits and findings are read by the visited project's province
# and written through the mission. A follow-up is reported done (``close_follow_up``) by the
# responsible unit (an implementer only those addressed to its own unit, ``ORG_UNIT_ONLY``) or the
# inspection side, and reopened (``reopen_follow_up``) by the inspection side; leaders read.
INSPECT_NATIONAL, INSPECT_LOCAL = "inspect_national", "inspect_local"
CLOSE_FOLLOW_UP, REOPEN_FOLLOW_UP = "close_follow_up", "reopen_follow_up"
INSPECTIONS: dict[str, frozenset[str]] = {
    R.SYSTEM_ADMIN: ALL | {INSPECT_NATIONAL, INSPECT_LOCAL},
    R.AGENCY_OFFICER: ALL | {INSPECT_NATIONAL},
    R.AGENCY_LEADER: READ_EXPORT,
    R.REGIONAL_OFFICER: READ_EXPORT,
    R.PROVINCIAL_OFFICER: ALL | {INSPECT_LOCAL},
    R.PROVINCIAL_LEADER: READ_EXPORT,
    R.PROVINCIAL_FINANCE: READ,
    R.INSPECTOR: ALL | {INSPECT_NATIONAL, INSPECT_LOCAL},
    R.VIEWER: READ,
}
INSPECTION_RECORDS: dict[str, frozenset[str]] = {role: actions & READ_EXPORT for role, actions in INSPECTIONS.items()}
FOLLOW_UPS: dict[str, frozenset[str]] = {
    R.SYSTEM_ADMIN: READ_EXPORT | {CLOSE_FOLLOW_UP, REOPEN_FOLLOW_UP},
    R.AGENCY_OFFICER: READ_EXPORT | {CLOSE_FOLLOW_UP, REOPEN_FOLLOW_UP},
    R.AGENCY_LEADER: READ_EXPORT,
    R.REGIONAL_OFFICER: READ_EXPORT,
    R.PROVINCIAL_OFFICER: READ_EXPORT | {CLOSE_FOLLOW_UP, REOPEN_FOLLOW_UP},
    R.PROVINCIAL_LEADER: READ_EXPORT,
    R.PROVINCIAL_FINANCE: READ,
    R.IMPLEMENTER: READ_EXPORT | {CLOSE_FOLLOW_UP},
    R.INSPECTOR: READ_EXPORT | {CLOSE_FOLLOW_UP, REOPEN_FOLLOW_UP},
    R.VIEWER: READ,
}
# Periodic reports (reporting/actions.py): a unit fills and submits its own reports (``submit``,
# checked against the units the role is bound to, not the whole province); the level above
# approves or returns them: the Agency a national form's reports (``approve``), the Department a
# local form's (``approve_local``); ``manage`` lays out the expected reports of a form and year.
# The Agency reads all of them; an implementer reaches only its own unit's (``ORG_UNIT_ONLY``).
REPORT_SUBMIT, REPORT_APPROVE, REPORT_APPROVE_LOCAL, REPORT_MANAGE = "submit", "approve", "approve_local", "manage"
REPORTS: dict[str, frozenset[str]] = {
    R.SYSTEM_ADMIN: READ_EXPORT | {REPORT_SUBMIT, REPORT_APPROVE, REPORT_APPROVE_LOCAL, REPORT_MANAGE},
    R.AGENCY_OFFICER: READ_EXPORT | {REPORT_APPROVE, REPORT_MANAGE},
    R.AGENCY_LEADER: READ_EXPORT | {REPORT_APPROVE},
    R.REGIONAL_OFFICER: READ_EXPORT | {REPORT_SUBMIT},
    R.PROVINCIAL_OFFICER: READ_EXPORT | {REPORT_SUBMIT, REPORT_APPROVE_LOCAL},
    R.PROVINCIAL_LEADER: READ_EXPORT | {REPORT_SUBMIT, REPORT_APPROVE_LOCAL},
    R.PROVINCIAL_FINANCE: READ,
    R.IMPLEMENTER: READ_EXPORT | {REPORT_SUBMIT},
    R.INSPECTOR: READ_EXPORT,
    R.VIEWER: READ,
}

# Money (finance/actions.py, DOMAIN.md §6). Allocations (giao dự toán) of the national plan are the
# Agency's (``allocate``), of a local plan the province's (``allocate_local``). Advances and
# payments are requested by the implementing unit for its own projects (``request_payment``,
# ``ORG_UNIT_ONLY`` for implementers) or by the officer who manages the project, and approved by the
# payer: the Agency for national projects (``approve_payment``), the Department or the provincial
# finance officer for local ones (``approve_payment_local``); approvers also record recoveries.
ALLOCATIONS: dict[str, frozenset[str]] = {
    R.SYSTEM_ADMIN: READ_EXPORT | {"allocate", "allocate_local"},
    R.AGENCY_OFFICER: READ_EXPORT | {"allocate"},
    R.AGENCY_LEADER: READ_EXPORT,
    R.REGIONAL_OFFICER: READ_EXPORT,
    R.PROVINCIAL_OFFICER: READ_EXPORT | {"allocate_local"},
    R.PROVINCIAL_LEADER: READ_EXPORT,
    R.PROVINCIAL_FINANCE: READ_EXPORT | {"allocate_local"},
    R.IMPLEMENTER: READ_EXPORT,
    R.INSPECTOR: READ_EXPORT,
    R.VIEWER: READ,
}
LEDGER: dict[str, frozenset[str]] = {
    R.SYSTEM_ADMIN: READ_EXPORT | {"request_payment", "approve_payment", "approve_payment_local"},
    R.AGENCY_OFFICER: READ_EXPORT | {"request_payment", "approve_payment"},
    R.AGENCY_LEADER: READ_EXPORT | {"approve_payment"},
    R.REGIONAL_OFFICER: READ_EXPORT | {"request_payment"},
    R.PROVINCIAL_OFFICER: READ_EXPORT | {"request_payment", "approve_payment_local"},
    R.PROVINCIAL_LEADER: READ_EXPORT | {"approve_payment_local"},
    R.PROVINCIAL_FINANCE: READ_EXPORT | {"approve_payment_local"},
    R.IMPLEMENTER: READ_EXPORT | {"request_payment"},
    R.INSPECTOR: READ_EXPORT,
    R.VIEWER: READ,
}

# Acceptance at the facility and settlement (finance/acceptance.py, finance/settlement.py). The
# implementing unit (its own projects only), the regional centre and the managing officers record the
# acceptance of each beneficiary line (``accept_line``) and send the settlement dossier
# (``submit_settlement``); a local settlement is checked by the provincial finance department
# (``check_settlement``) and approved by the Department or the provincial leadership
# (``approve_settlement_local``); a national one is approved by the Agency (``approve_settlement``),
# which may also settle from the acceptance records when the implementer is late
# (``settle_from_acceptance``).
ACCEPTANCES: dict[str, frozenset[str]] = {
    R.SYSTEM_ADMIN: READ_EXPORT | {"accept_line"},
    R.AGENCY_OFFICER: READ_EXPORT | {"accept_line"},
    R.AGENCY_LEADER: READ_EXPORT,
    R.REGIONAL_OFFICER: READ_EXPORT | {"accept_line"},
    R.PROVINCIAL_OFFICER: READ_EXPORT | {"accept_line"},
    R.PROVINCIAL_LEADER: READ_EXPORT,
    R.PROVINCIAL_FINANCE: READ_EXPORT,
    R.IMPLEMENTER: READ_EXPORT | {"accept_line"},
    R.INSPECTOR: READ_EXPORT,
    R.VIEWER: READ,
}
SETTLEMENTS: dict[str, frozenset[str]] = {
    R.SYSTEM_ADMIN: READ_EXPORT | {"submit_settlement", "check_settlement", "approve_settlement",
                                   "approve_settlement_local", "settle_from_acceptance"},
    R.AGENCY_OFFICER: READ_EXPORT | {"submit_settlement", "approve_settlement", "settle_from_acceptance"},
    R.AGENCY_LEADER: READ_EXPORT | {"approve_settlement"},
    R.REGIONAL_OFFICER: READ_EXPORT | {"submit_settlement"},
    R.PROVINCIAL_OFFICER: READ_EXPORT | {"submit_settlement", "approve_settlement_local"},
    R.PROVINCIAL_LEADER: READ_EXPORT | {"approve_settlement_local"},
    R.PROVINCIAL_FINANCE: READ_EXPORT | {"check_settlement"},
    R.IMPLEMENTER: READ_EXPORT | {"submit_settlement"},
    R.INSPECTOR: READ_EXPORT,
    R.VIEWER: READ,
}  # fmt: skip

# Official documents (documents/registry.py): who may generate a kind is its named action
# (``generate``); the log of generated files is read within reach (a provincial report by its
# province, a national one only nationwide).
GENERATE_DOCUMENT = "generate"
DOCUMENTS: dict[str, frozenset[str]] = {
    R.SYSTEM_ADMIN: READ_EXPORT | {GENERATE_DOCUMENT},
    R.AGENCY_OFFICER: READ_EXPORT | {GENERATE_DOCUMENT},
    R.AGENCY_LEADER: READ_EXPORT | {GENERATE_DOCUMENT},
    R.REGIONAL_OFFICER: READ_EXPORT,
    R.PROVINCIAL_OFFICER: READ_EXPORT | {GENERATE_DOCUMENT},
    R.PROVINCIAL_LEADER: READ_EXPORT | {GENERATE_DOCUMENT},
    R.PROVINCIAL_FINANCE: READ,
    R.IMPLEMENTER: READ_EXPORT,
    R.INSPECTOR: READ_EXPORT,
    R.VIEWER: READ,
}

PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {
    "organisation.orgunit": {
        R.SYSTEM_ADMIN: ALL,
        R.AGENCY_OFFICER: ALL,
        R.AGENCY_LEADER: READ_EXPORT,
        R.REGIONAL_OFFICER: READ_EXPORT,
        R.PROVINCIAL_OFFICER: frozenset({VIEW, ADD, CHANGE, EXPORT}),
        R.PROVINCIAL_LEADER: READ_EXPORT,
        R.PROVINCIAL_FINANCE: READ,
        R.IMPLEMENTER: READ,
        R.INSPECTOR: READ_EXPORT,
        R.ESTABLISHMENT: READ,
        R.VIEWER: READ,
    },
    "organisation.roleassignment": {
        R.SYSTEM_ADMIN: ALL,
    },
    "accounts.user": {
        R.SYSTEM_ADMIN: ALL | USER_MANAGEMENT,
        R.PROVINCIAL_LEADER: READ | USER_MANAGEMENT,
    },
    "audit.objectchange": {
        R.SYSTEM_ADMIN: READ_EXPORT,
        R.AGENCY_LEADER: READ,
        R.INSPECTOR: READ,
    },
    "audit.accesslog": {
        R.SYSTEM_ADMIN: READ_EXPORT,
    },
    "registry.establishment": {**REGISTRY_RECORDS, R.ESTABLISHMENT: OWN_RECORD},
    "registry.craftvillage": REGISTRY_RECORDS,
    "registry.duplicatecandidate": {
        R.SYSTEM_ADMIN: DUPLICATE_DECISIONS,
        R.AGENCY_OFFICER: DUPLICATE_DECISIONS,
        R.PROVINCIAL_OFFICER: DUPLICATE_DECISIONS,
    },
    "rulebook.legaldocument": RULEBOOK_RECORDS,
    "rulebook.activitycontent": dict.fromkeys(R.values, READ),
    "rulebook.spendingnorm": RULEBOOK_RECORDS,
    "rulebook.advancerule": RULEBOOK_RECORDS,
    "rulebook.dossierlist": RULEBOOK_RECORDS,
    "rulebook.deadlinerule": RULEBOOK_RECORDS,
    "planning.programme": PLANS,
    "planning.annualplan": PLANS,
    "planning.planversion": PLAN_VERSIONS,
    "projects.project": PROJECTS,
    "adjustments.adjustment": ADJUSTMENTS,
    "contracts.contract": CONTRACTS,
    "appraisal.council": COUNCILS,
    "inspections.inspectionplan": INSPECTIONS,
    "inspections.inspectionmission": INSPECTIONS,
    "inspections.visit": INSPECTION_RECORDS,
    "inspections.finding": INSPECTION_RECORDS,
    "inspections.followup": FOLLOW_UPS,
    "reporting.report": REPORTS,
    "finance.allocation": ALLOCATIONS,
    "finance.ledgerentry": LEDGER,
    "finance.acceptancerecord": ACCEPTANCES,
    "finance.settlement": SETTLEMENTS,
    "documents.generateddocument": DOCUMENTS,
    "jobs.job": {
        R.SYSTEM_ADMIN: READ,
    },
}


# Resources whose rows are linked to org units for some roles only: the other roles reach them by
# place alone, and the org-unit part of their reach is left out of the query (a provincial list
# keeps its ordered index scan instead of an OR over two indexes and a sort).
ORG_UNIT_REACH: dict[str, frozenset[str]] = {
    # Establishment.org_unit: the unit an establishment's own account acts for.
    "registry.establishment": frozenset({R.ESTABLISHMENT}),
    # Project.implementing_unit: the unit an implementer acts for.
    "projects.project": frozenset({R.IMPLEMENTER}),
    "adjustments.adjustment": frozenset({R.IMPLEMENTER}),
    # Contract.project.implementing_unit: the same implementer, for its own projects' contracts.
    "contracts.contract": frozenset({R.IMPLEMENTER}),
    # FollowUp.responsible_unit: an implementer reports on the follow-ups addressed to its unit.
    "inspections.followup": frozenset({R.IMPLEMENTER}),
    "finance.allocation": frozenset({R.IMPLEMENTER}),
    "finance.ledgerentry": frozenset({R.IMPLEMENTER}),
    "finance.acceptancerecord": frozenset({R.IMPLEMENTER}),
    "finance.settlement": frozenset({R.IMPLEMENTER}),
}

# Resources some roles reach through their org units only, never by the place those units sit in:
# an implementing unit in a province sees its own projects, not every project of the province.
ORG_UNIT_ONLY: dict[str, frozenset[str]] = {
    "projects.project": frozenset({R.IMPLEMENTER}),
    "adjustments.adjustment": frozenset({R.IMPLEMENTER}),
    "contracts.contract": frozenset({R.IMPLEMENTER}),
    # FollowUp.responsible_unit: an implementer reports on the follow-ups addressed to its unit.
    "inspections.followup": frozenset({R.IMPLEMENTER}),
    "reporting.report": frozenset({R.IMPLEMENTER}),
    "finance.allocation": frozenset({R.IMPLEMENTER}),
    "finance.ledgerentry": frozenset({R.IMPLEMENTER}),
    "finance.acceptancerecord": frozenset({R.IMPLEMENTER}),
    "finance.settlement": frozenset({R.IMPLEMENTER}),
}


def allowed_actions(role: str, resource: str) -> frozenset[str]:
    return PERMISSIONS.get(resource, {}).get(role, frozenset())
