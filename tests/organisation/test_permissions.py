"""Guards on the role matrix: a typo in a resource silently denies everyone, so it must fail here."""

from __future__ import annotations

import re

from django.apps import apps

from khuyencong.organisation.models import Role
from khuyencong.organisation.permissions import PERMISSIONS


def _scoped_models():
    for model in apps.get_models():
        if getattr(model, "scope_province_field", None) or getattr(model, "scope_org_unit_field", None):
            yield model


def test_every_resource_names_an_installed_model():
    labels = {model._meta.label_lower for model in apps.get_models()}
    unknown = sorted(set(PERMISSIONS) - labels)
    assert unknown == [], f"the matrix names models that do not exist: {unknown}"


def test_every_scoped_model_has_a_row():
    missing = sorted(m._meta.label_lower for m in _scoped_models() if m._meta.label_lower not in PERMISSIONS)
    assert missing == [], f"scoped models without a row in organisation/permissions.py: {missing}"


def test_rows_name_real_roles_and_well_formed_actions():
    roles = set(Role.values)
    for resource, row in PERMISSIONS.items():
        assert set(row) <= roles, f"{resource}: unknown roles {set(row) - roles}"
        for role, actions in row.items():
            assert isinstance(actions, frozenset), f"{resource}/{role}: actions must be a set of names"
            bad = [a for a in actions if not re.fullmatch(r"[a-z][a-z_]*", a)]
            assert bad == [], f"{resource}/{role}: malformed action names {bad}"
