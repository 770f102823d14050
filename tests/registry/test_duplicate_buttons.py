"""The duplicate queue shows only the decisions the role holds (the named permissions merge and
dismiss of organisation/permissions.py), and a decision the role does not hold is a 403 on POST,
through the decision URL and the queue's own buttons alike; nothing changes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from khuyencong.organisation import permissions
from khuyencong.organisation.models import Role
from khuyencong.registry import actions
from khuyencong.registry.models import DuplicateCandidate, Establishment
from tests.registry.factories import make_establishment

pytestmark = pytest.mark.django_db

QUEUE = reverse("registry:duplicate_queue")


@pytest.fixture
def pair(territory):
    first = make_establishment("42", name="Cơ sở Mây tre Đức Thọ")
    second = make_establishment("42", name="Cơ sở Mây Tre Đức Thọ")
    return DuplicateCandidate.objects.create(first=first, second=second, province=first.province, reason="similar_name")


@pytest.fixture
def matrix(monkeypatch):
    """``matrix(role, actions)``: the role holds exactly these actions on duplicate candidates."""

    def set_row(role, names):
        row = dict(permissions.PERMISSIONS["registry.duplicatecandidate"])
        row[role] = frozenset(names)
        monkeypatch.setitem(permissions.PERMISSIONS, "registry.duplicatecandidate", row)

    return set_row


def buttons(html: str) -> set[str]:
    found = set()
    if 'name="keep" value="first"' in html:
        found.add("merge")
    if "/do/dismiss/" in html:
        found.add("dismiss")
    return found


def untouched(pair) -> bool:
    pair.refresh_from_db()
    return pair.status == DuplicateCandidate.Status.OPEN and Establishment.objects.live().count() == 2


def test_a_decider_sees_both_decisions(client_for, hatinh_officer, pair):
    html = client_for(hatinh_officer).get(QUEUE).content.decode()
    assert buttons(html) == {"merge", "dismiss"}


def test_a_role_that_may_only_look_sees_no_button_and_is_refused(matrix, person_in_role, client_for, pair):
    from tests.roles import ROLES

    leader = next(case for case in ROLES if case.role == Role.PROVINCIAL_LEADER)
    matrix(Role.PROVINCIAL_LEADER, {"view"})
    client = client_for(person_in_role(leader))
    response = client.get(QUEUE)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="candidate-{pair.pk}"' in html and buttons(html) == set()
    assert "Chờ Sở Công Thương xem xét" in html
    for action, data in (("merge", {"keep": "first"}), ("dismiss", {"comment": "khác nhau"})):
        url = reverse("registry:duplicatecandidate_action", args=[pair.pk, action])
        assert client.post(url, data).status_code == 403
    for decision in ("keep_first", "dismiss"):
        assert client.post(QUEUE, {"candidate": pair.pk, "decision": decision}).status_code == 403
    assert untouched(pair)


def test_a_role_that_may_only_dismiss_sees_only_that_button(matrix, person_in_role, client_for, pair):
    from tests.roles import ROLES

    officer = next(case for case in ROLES if case.role == Role.PROVINCIAL_OFFICER)
    matrix(Role.PROVINCIAL_OFFICER, {"view", "dismiss"})
    client = client_for(person_in_role(officer))
    assert buttons(client.get(QUEUE).content.decode()) == {"dismiss"}
    merge = reverse("registry:duplicatecandidate_action", args=[pair.pk, "merge"])
    assert client.post(merge, {"keep": "first"}).status_code == 403
    assert untouched(pair)
    dismiss = reverse("registry:duplicatecandidate_action", args=[pair.pk, "dismiss"])
    assert client.post(dismiss, {"comment": "hai cơ sở khác nhau"}).status_code == 302
    pair.refresh_from_db()
    assert pair.status == DuplicateCandidate.Status.DISMISSED


def test_merge_needs_both_records_changeable(matrix, person_in_role, client_for, pair, monkeypatch):
    """A role may hold merge but not change the records: no merge button."""
    from tests.roles import ROLES

    officer = next(case for case in ROLES if case.role == Role.PROVINCIAL_OFFICER)
    row = dict(permissions.PERMISSIONS["registry.establishment"])
    row[Role.PROVINCIAL_OFFICER] = frozenset({"view"})
    monkeypatch.setitem(permissions.PERMISSIONS, "registry.establishment", row)
    user = person_in_role(officer)
    assert actions.decisions_open_to(user, [pair]) == {pair.pk: frozenset({"dismiss"})}
    assert buttons(client_for(user).get(QUEUE).content.decode()) == {"dismiss"}


def test_decisions_cost_no_query_when_reach_is_the_same(hatinh_officer, pair, django_assert_num_queries):
    candidates = list(actions.pairs_in_reach(hatinh_officer).filter(pk=pair.pk))
    with django_assert_num_queries(0):
        assert actions.decisions_open_to(hatinh_officer, candidates) == {pair.pk: frozenset({"merge", "dismiss"})}
