"""Two officers acting on the same project at once, on PostgreSQL with real concurrent connections
(one per thread): exactly one step is taken, the other is refused ``state_changed`` and one
transition is written; two PATCHes with the same If-Match: one is written, the other is ``stale``."""

import threading

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from khuyencong.accounts.tokens import issue_token
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.organisation.models import OrgUnit, Role
from khuyencong.organisation.services import assign_role
from khuyencong.projects import actions
from khuyencong.projects.models import Project, ProjectState, ProjectTransition
from tests.projects.factories import make_project

pytestmark = [
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="concurrent writers need a server database (SQLite serialises the test connection)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def reference():
    """Reference data, loaded again when an earlier transactional test flushed it."""
    from khuyencong.organisation.models import OrgUnit
    from khuyencong.organisation.reference import load_reference_org_units
    from khuyencong.rulebook.models import ActivityContent
    from khuyencong.rulebook.reference import load_reference_data
    from khuyencong.territory.loader import load_territory
    from khuyencong.territory.models import Province

    if not Province.objects.exists():
        load_territory()
    if not OrgUnit.objects.filter(code="SCT-42").exists():
        load_reference_org_units()
    if not ActivityContent.objects.filter(code="2012-03").exists():
        import importlib

        from django.apps import apps

        for name in ("0002_seed_legal_documents_and_contents", "0004_seed_rules"):
            importlib.import_module(f"khuyencong.rulebook.migrations.{name}").seed(apps, None)
        load_reference_data()


def _officers(django_user_model, n=2):
    people = []
    for i in range(n):
        user = django_user_model.objects.create_user(username=f"dua-{i}", password="Mat-khau-thu-2026!")
        assign_role(user=user, role=Role.PROVINCIAL_OFFICER, org_unit=OrgUnit.objects.get(code="SCT-42"))
        people.append(user)
    return people


def _at_once(work, n=2):
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_officers_take_a_step_at_once_exactly_one_succeeds(reference, django_user_model):
    project = make_project("42", level="local", state=ProjectState.SUBMITTED)
    people = _officers(django_user_model)
    seen = [Project.objects.get(pk=project.pk) for _ in people]  # both opened the page before either clicked
    before = project.version
    steps = ["province_pass", "province_return"]
    results = _at_once(lambda i: actions.take_step(user=people[i], project=seen[i], action=steps[i],
                                                   comment="Thiếu hồ sơ"))  # fmt: skip
    done = [r for r in results if isinstance(r, Project)]
    refused = [r for r in results if isinstance(r, ActionRefused)]
    assert len(done) == 1 and len(refused) == 1, results
    assert refused[0].code in {"state_changed", "stale"}
    assert ProjectTransition.objects.filter(project=project).count() == 1
    project.refresh_from_db()
    assert project.state == done[0].state and project.version == before + 1


def test_two_patches_with_the_same_if_match_one_is_written(reference, django_user_model):
    project = make_project("42")
    people = _officers(django_user_model)
    secrets = [issue_token(user=user, name="dua")[1] for user in people]
    version = f'"{project.version}"'

    def patch(i):
        client = Client(HTTP_AUTHORIZATION=f"Bearer {secrets[i]}")
        response = client.patch(f"/api/v1/projects/{project.pk}", {"name": f"Tên của người thứ {i}"},
                                "application/json", HTTP_IF_MATCH=version)  # fmt: skip
        return response.status_code, response.json()

    results = _at_once(patch)
    statuses = sorted(status for status, _body in results)
    assert statuses == [200, 409], results
    loser = next(body for status, body in results if status == 409)
    assert loser["code"] == "stale"
    winner = next(body for status, body in results if status == 200)
    project.refresh_from_db()
    assert project.name == winner["name"] and project.version == int(version.strip('"')) + 1
