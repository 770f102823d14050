"""Which role may do what, on which resource. One table, read top to bottom.

Letters: v view, a add, c change, d delete, e export. Where the role may act comes from the
org unit its assignment is bound to (see ``services.reach_of``), not from this table.
Later domains add their resources here so the whole matrix stays reviewable in one place.
"""

from __future__ import annotations

from khuyencong.kernel.scoping import ACTION_LETTERS
from khuyencong.organisation.models import Role

R = Role

# Establishments and craft villages: provinces keep their own registry; the agency sees all of it.
REGISTRY_RECORDS = {
    R.SYSTEM_ADMIN: "vacde",
    R.AGENCY_OFFICER: "vacde",
    R.AGENCY_LEADER: "ve",
    R.REGIONAL_OFFICER: "ve",
    R.PROVINCIAL_OFFICER: "vacde",
    R.PROVINCIAL_LEADER: "ve",
    R.PROVINCIAL_FINANCE: "v",
    R.IMPLEMENTER: "ve",
    R.INSPECTOR: "ve",
    R.VIEWER: "v",
}

PERMISSIONS: dict[str, dict[str, str]] = {
    "organisation.orgunit": {
        R.SYSTEM_ADMIN: "vacde",
        R.AGENCY_OFFICER: "vacde",
        R.AGENCY_LEADER: "ve",
        R.REGIONAL_OFFICER: "ve",
        R.PROVINCIAL_OFFICER: "vace",
        R.PROVINCIAL_LEADER: "ve",
        R.PROVINCIAL_FINANCE: "v",
        R.IMPLEMENTER: "v",
        R.INSPECTOR: "ve",
        R.ESTABLISHMENT: "v",
        R.VIEWER: "v",
    },
    "organisation.roleassignment": {
        R.SYSTEM_ADMIN: "vacde",
    },
    "accounts.user": {
        R.SYSTEM_ADMIN: "vacde",
    },
    "audit.objectchange": {
        R.SYSTEM_ADMIN: "ve",
        R.AGENCY_LEADER: "v",
        R.INSPECTOR: "v",
    },
    "audit.accesslog": {
        R.SYSTEM_ADMIN: "ve",
    },
    "registry.establishment": REGISTRY_RECORDS,
    "registry.craftvillage": REGISTRY_RECORDS,
    # "change" on a duplicate candidate means deciding it: merge or dismiss.
    "registry.duplicatecandidate": {
        R.SYSTEM_ADMIN: "vc",
        R.AGENCY_OFFICER: "vc",
        R.PROVINCIAL_OFFICER: "vc",
    },
    "jobs.job": {
        R.SYSTEM_ADMIN: "v",
    },
}


def allowed_actions(role: str, resource: str) -> set[str]:
    letters = PERMISSIONS.get(resource, {}).get(role, "")
    return {ACTION_LETTERS[letter] for letter in letters}
