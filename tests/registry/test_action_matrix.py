"""Every duplicate-review step, for each of the eleven roles (and an officer of the other
province), through the HTML action view, the queue's own buttons and the API: allowed (the state
moves, a decision row names the user and the comment) or refused with its code, nothing changed.

The other registry actions (save_establishment, delete_craft_village) are run per role and per
interface by the scoping suite (tests/scoping.py, tests/registry/test_registry_scoping.py);
tests/registry/test_actions.py covers each action's own rules.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.organisation import permissions
from khuyencong.organisation.models import Role
from khuyencong.registry import actions
from khuyencong.registry.models import DuplicateCandidate, DuplicateDecision, Establishment
from tests.registry.factories import make_establishment
from tests.roles import CASE_IDS, CASES, ROLES, RoleCase

pytestmark = pytest.mark.django_db

# Who decides duplicates: the registry's keepers, in their reach. Nobody else even sees the queue.
DECIDERS = {Role.SYSTEM_ADMIN, Role.AGENCY_OFFICER, Role.PROVINCIAL_OFFICER}
VIETNAMESE = {
    "forbidden": "Bạn không có quyền thực hiện thao tác này.",
    "wrong_state": "Không thể thực hiện thao tác này ở trạng thái hiện tại của bản ghi.",
}


def test_the_role_table_names_every_role_once():
    assert sorted(str(case.role) for case in ROLES) == sorted(Role.values)


def make_pair(province="42"):
    first = make_establishment(province, name="Cơ sở Mây tre Đức Thọ")
    second = make_establishment(province, name="Cơ sở Mây Tre Đức Thọ")
    return DuplicateCandidate.objects.create(first=first, second=second, province=first.province, reason="similar_name")


def state(pair):
    """Everything a refused decision must leave alone: the pair, both records, the decisions."""
    rows = [
        DuplicateCandidate.objects.get(pk=pair.pk),
        *Establishment.objects.filter(pk__in=[pair.first_id, pair.second_id]),
    ]
    snapshot = [{f.attname: getattr(r, f.attname) for f in r._meta.concrete_fields} for r in rows]
    return snapshot, list(DuplicateDecision.objects.values_list("pk", flat=True))


def expected_status(case: RoleCase) -> int:
    if not case.role or case.role not in DECIDERS:
        return 403
    return 200 if "hatinh" in case.reach else 404


def decide(interface, client, pair, action, comment="", **extra):
    """Take ``action`` on the pair; returns (status, response). The pages answer a redirect when done."""
    if interface == "api":
        body = {"comment": comment, **({"keep": "first"} if action == "merge" else {}), **extra}
        response = client.post(f"/api/v1/duplicates/{pair.pk}/actions/{action}", body, "application/json")
    elif interface == "action_view":
        url = reverse("registry:duplicatecandidate_action", args=[pair.pk, action])
        response = client.post(url, {"comment": comment, "keep": "first"})
    else:  # the queue's own buttons
        decision = "dismiss" if action == "dismiss" else "keep_first"
        response = client.post(reverse("registry:duplicate_queue"), {"candidate": pair.pk, "decision": decision,
                                                                     "comment": comment})  # fmt: skip
    return response


INTERFACES = ["api", "action_view", "queue"]


@pytest.mark.parametrize("interface", INTERFACES)
@pytest.mark.parametrize("action", ["dismiss", "merge"])
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_each_role_decides_a_pair_only_with_the_permission_and_in_reach(
    case, action, interface, person_in_role, client_for, vietnamese
):
    user = person_in_role(case)
    client = client_for(user)
    pair = make_pair()
    before = state(pair)
    response = decide(interface, client, pair, action, comment="Đã kiểm tra tại chỗ")
    expected = expected_status(case)
    if expected != 200:
        assert response.status_code == expected, response.content[:500]
        if interface == "api":
            assert response.json()["code"] == {403: "forbidden", 404: "not_found"}[expected]
        assert state(pair) == before
        return
    assert response.status_code == (200 if interface == "api" else 302), response.content[:500]
    pair.refresh_from_db()
    target = "dismissed" if action == "dismiss" else "merged"
    assert (pair.status, pair.version, pair.reviewed_by) == (target, 1, user)
    decision = DuplicateDecision.objects.get(candidate=pair)
    assert (decision.action, decision.from_state, decision.to_state) == (action, "open", target)
    assert (decision.user, decision.user_name, decision.comment) == (user, user.get_username(), "Đã kiểm tra tại chỗ")
    merged_into = Establishment.objects.get(pk=pair.second_id).merged_into_id
    assert merged_into == (pair.first_id if action == "merge" else None)

    # The second click: the pair is no longer open; refused, nothing more written.
    after = state(pair)
    again = decide(interface, client, pair, action)
    if interface == "api":
        assert again.status_code == 409 and again.json()["code"] == "wrong_state"
    else:
        assert again.status_code == 302
        assert VIETNAMESE["wrong_state"] in client.get(again["Location"]).content.decode()
    assert state(pair) == after


@pytest.mark.parametrize("interface", INTERFACES)
def test_a_role_without_the_named_permission_is_refused_that_step_only(
    interface, monkeypatch, hatinh_officer, client_for, vietnamese
):
    """The step asks the matrix for "merge", not for "change": take "merge" away and only merging stops."""
    table = permissions.PERMISSIONS["registry.duplicatecandidate"]
    monkeypatch.setitem(table, Role.PROVINCIAL_OFFICER, frozenset({"view", "change", "dismiss"}))
    client = client_for(hatinh_officer)
    pair = make_pair()
    assert [step.action for step in actions.DUPLICATE_REVIEW.available(pair, hatinh_officer)] == ["dismiss"]
    before = state(pair)
    response = decide(interface, client, pair, "merge")
    # Refused outright, as the API does: the pages answer 403 (tests/registry/test_duplicate_buttons.py
    # shows the queue offers no merge button to this role either).
    assert response.status_code == 403
    if interface == "api":
        assert response.json()["code"] == "forbidden"
    assert state(pair) == before
    assert decide(interface, client, pair, "dismiss").status_code in (200, 302)
    assert DuplicateCandidate.objects.get(pk=pair.pk).status == "dismissed"


def test_a_decision_on_a_stale_page_is_state_changed_and_writes_nothing(hatinh_officer, agency_officer):
    """Two officers opened the same pair; the second decides on what they saw, after the first."""
    pair = make_pair()
    seen_by_second = DuplicateCandidate.objects.get(pk=pair.pk)
    actions.dismiss_duplicate(candidate=pair, user=hatinh_officer, comment="Khác chủ")
    after = state(pair)
    with pytest.raises(ActionRefused) as refused:
        actions.merge_duplicate(candidate=seen_by_second, keep="first", user=agency_officer)
    assert refused.value.code == "state_changed" and refused.value.status == 409
    assert state(pair) == after
    assert Establishment.objects.get(pk=pair.second_id).merged_into_id is None


def test_a_merge_with_a_stale_version_through_the_api_merges_nothing(hatinh_officer, client_for):
    pair = make_pair()
    before = state(pair)
    response = decide("api", client_for(hatinh_officer), pair, "merge", version=5)
    assert response.status_code == 409 and response.json()["code"] == "state_changed"
    assert state(pair) == before


@pytest.mark.parametrize("interface", INTERFACES)
def test_an_unknown_step_is_not_found(interface, hatinh_officer, client_for):
    pair = make_pair()
    before = state(pair)
    client = client_for(hatinh_officer)
    if interface == "api":
        response = client.post(f"/api/v1/duplicates/{pair.pk}/actions/approve", {}, "application/json")
        assert response.status_code == 404 and response.json()["code"] == "unknown_action"
    elif interface == "action_view":
        url = reverse("registry:duplicatecandidate_action", args=[pair.pk, "approve"])
        assert client.post(url).status_code == 404
    else:  # an unknown decision on the queue is taken as a merge without a side to keep: refused
        response = client.post(reverse("registry:duplicate_queue"), {"candidate": pair.pk, "decision": "approve"})
        assert response.status_code == 302
    assert state(pair) == before
