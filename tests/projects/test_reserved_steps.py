"""The project's ``accept``, ``submit_settlement``, ``settle`` and ``settle_local`` steps are taken
only by the acceptance records and the settlement flow (``finance.settlement.reserve_project_steps``):
refused to ``take_step(enforce=True)``, the HTML step view and the API with ``use_acceptance`` /
``use_settlement`` and nothing changed; never offered as buttons nor in ``available_actions``; the
project page points to the section instead; the flows still take them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from khuyencong.accounts.tokens import issue_token
from khuyencong.finance.models import AcceptanceRecord, Settlement
from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.organisation.models import Role
from khuyencong.projects import actions
from khuyencong.projects.models import Project, ProjectState, ProjectTransition
from khuyencong.rulebook.models import Level
from tests.conftest import _user
from tests.finance.settlement_factories import ACCEPTED_ON, running_project
from tests.projects import flow

pytestmark = pytest.mark.django_db
S = ProjectState
SENT_ON = dt.date(2026, 10, 25)
DECIDED_ON = dt.date(2026, 11, 5)
USE_ACCEPTANCE = "Nghiệm thu từng đơn vị thụ hưởng"


@pytest.fixture
def finance(django_user_model, territory):
    return _user(django_user_model, "stc.reserved", Role.PROVINCIAL_FINANCE, "STC-42")


def _snapshot():
    return (
        list(Project.objects.order_by("pk").values("pk", "state", "version", "accepted_on", "settled_on")),
        ProjectTransition.objects.count(),
        AcceptanceRecord.objects.count(),
        Settlement.objects.count(),
    )


def _api(user) -> Client:
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {issue_token(user=user, name='t')[1]}"
    return client


def _cases(implementer, agency_officer, hatinh_officer):
    """(user, project, bare step, code, extra) for a project standing where each step would apply."""
    running = running_project()
    accepted = flow.accept_lines(implementer, running_project(), ACCEPTED_ON)
    national = flow.send_dossier(implementer, flow.accept_lines(implementer, running_project(), ACCEPTED_ON), SENT_ON)
    local = running_project(level=Level.LOCAL)
    local = flow.send_dossier(implementer, flow.accept_lines(implementer, local, ACCEPTED_ON), SENT_ON)
    decision = {"decision_number": "1/QĐ", "decision_date": DECIDED_ON}
    return [
        (implementer, running, "accept", "use_acceptance", {"on": ACCEPTED_ON}),
        (implementer, accepted, "submit_settlement", "use_settlement", {"on": SENT_ON}),
        (agency_officer, national, "settle", "use_settlement", decision),
        (hatinh_officer, local, "settle_local", "use_settlement", decision),
    ]


def test_each_bare_step_is_refused_with_its_code_and_changes_nothing(implementer, agency_officer, hatinh_officer):
    for user, project, action, code, extra in _cases(implementer, agency_officer, hatinh_officer):
        assert action not in {s.action for s in actions.available_steps(project, user)}
        before = _snapshot()
        with pytest.raises(ActionRefused) as refused:
            actions.take_step(user=user, project=project, action=action, **extra)
        assert refused.value.code == code and refused.value.status == 409, (action, refused.value.code)
        assert "mục" in refused.value.message  # Vietnamese: names the section where it is done
        assert actions.PROJECT_LIFECYCLE.refusal(project, user, action).code == code
        assert _snapshot() == before


def test_the_message_is_vietnamese(implementer):
    project = running_project()
    with pytest.raises(ActionRefused) as refused:
        actions.take_step(user=implementer, project=project, action="accept")
    assert refused.value.message.startswith(USE_ACCEPTANCE)


def test_a_step_on_the_wrong_level_stays_wrong_level(implementer, agency_officer):
    project = flow.send_dossier(implementer, flow.accept_lines(implementer, running_project(level=Level.LOCAL),
                                                               ACCEPTED_ON), SENT_ON)  # fmt: skip
    with pytest.raises(ActionRefused) as refused:
        actions.take_step(user=agency_officer, project=project, action="settle", decision_number="1",
                          decision_date=DECIDED_ON)  # fmt: skip
    assert refused.value.code in {"wrong_level", "forbidden"}


def test_the_step_view_refuses_and_points_to_the_section(client_for, implementer, agency_officer, hatinh_officer):
    for user, project, action, code, extra in _cases(implementer, agency_officer, hatinh_officer):
        client = client_for(user)
        url = f"/projects/{project.pk}/steps/{action}/"
        before = _snapshot()
        shown = client.get(url)
        assert shown.status_code == 409 and f'data-code="{code}"' in shown.content.decode()
        assert 'id="step-go"' not in shown.content.decode()
        body = {key: value.isoformat() if isinstance(value, dt.date) else value for key, value in extra.items()}
        posted = client.post(url, {**body, "version": project.version})
        assert posted.status_code == 409 and f'data-code="{code}"' in posted.content.decode()
        assert _snapshot() == before
        page = client.get(f"/projects/{project.pk}/").content.decode()
        assert f'id="step-{action}"' not in page and f'data-flow="{code}"' in page
        anchor = "project-settlement" if code == "use_acceptance" else "settlement-heading"
        assert f'href="#{anchor}"' in page and f'id="{anchor}"' in page


def test_the_api_refuses_and_does_not_list_them(implementer, agency_officer, hatinh_officer):
    for user, project, action, code, extra in _cases(implementer, agency_officer, hatinh_officer):
        client = _api(user)
        url = f"/api/v1/projects/{project.pk}"
        offered = {a["action"] for a in client.get(url).json()["available_actions"]}
        assert action not in offered
        before = _snapshot()
        body = {key: value.isoformat() if isinstance(value, dt.date) else value for key, value in extra.items()}
        answer = client.post(f"{url}/actions/{action}", body, "application/json")
        assert answer.status_code == 409 and answer.json()["code"] == code, answer.content
        assert _snapshot() == before


def test_the_flows_still_take_them(implementer, agency_officer, hatinh_officer, finance):
    project = flow.accept_lines(implementer, running_project(), ACCEPTED_ON)
    assert project.state == S.ACCEPTED and project.accepted_on == ACCEPTED_ON
    project = flow.send_dossier(implementer, project, SENT_ON)
    assert project.state == S.SETTLEMENT_SUBMITTED
    project = flow.settle(agency_officer, project, decision_date=DECIDED_ON)
    assert project.state == S.SETTLED and project.settled_on == DECIDED_ON
    local = flow.accept_lines(implementer, running_project(level=Level.LOCAL), ACCEPTED_ON)
    local = flow.send_dossier(implementer, local, SENT_ON)
    local = flow.settle(hatinh_officer, local, checker=finance, decision_date=DECIDED_ON)
    assert local.state == S.SETTLED
    taken = set(ProjectTransition.objects.values_list("action", flat=True))
    assert {"accept", "submit_settlement", "settle", "settle_local"} <= taken


def test_an_implementer_in_progress_sees_the_pointer_not_a_button(client_for, implementer):
    project = running_project()
    page = client_for(implementer).get(f"/projects/{project.pk}/").content.decode()
    assert 'data-step="accept"' not in page and 'id="flow-accept"' in page
    assert USE_ACCEPTANCE in page
