"""kernel.lifecycle on a real table (duplicate pairs) with a test state table: refusals carry a code
and change nothing; a won transition writes one record; effects wait for the commit."""

import datetime as dt

import pytest

from khuyencong.kernel.context import acting_as
from khuyencong.kernel.lifecycle import ActionRefused, Lifecycle, Step
from khuyencong.registry.models import DuplicateCandidate, DuplicateDecision
from khuyencong.registry.services import queue_duplicates
from tests.registry.factories import make_establishment

pytestmark = pytest.mark.django_db

OPEN, MERGED, DISMISSED = "open", "merged", "dismissed"


def _refuse_when_named_secret(candidate, user):
    if "bí mật" in candidate.first.name:
        return ActionRefused("secret_pair", "secret pair")
    return None


TABLE = Lifecycle(
    DuplicateCandidate,
    record=DuplicateDecision,
    subject_field="candidate",
    steps=[
        Step("dismiss", {OPEN}, DISMISSED, checks=(_refuse_when_named_secret,)),
        Step("reject", {OPEN}, DISMISSED, needs_comment=True),
        Step("decide", {OPEN}, MERGED, needs_decision=True),
        Step("reopen", {DISMISSED}, OPEN),
    ],
)


@pytest.fixture
def pair():
    make_establishment(name="Cơ sở Nón lá Thử")
    queue_duplicates(make_establishment(name="Cơ sở nón lá thử"))
    return DuplicateCandidate.objects.get()


def state(candidate):
    row = DuplicateCandidate.objects.get(pk=candidate.pk)
    return row.status, row.version, DuplicateDecision.objects.filter(candidate=candidate).count()


def test_a_step_moves_the_state_bumps_the_version_and_writes_one_record(pair, hatinh_officer):
    with acting_as(hatinh_officer, request_id="req-lifecycle-1"):
        TABLE.perform(pair, hatinh_officer, "dismiss", comment="  khác chủ  ", data={"note": 1})
    assert pair.status == DISMISSED and pair.version == 1
    record = DuplicateDecision.objects.get(candidate=pair)
    assert (record.action, record.from_state, record.to_state) == ("dismiss", OPEN, DISMISSED)
    assert record.user == hatinh_officer and record.user_name == "hatinh"
    assert record.comment == "khác chủ" and record.request_id == "req-lifecycle-1" and record.data == {"note": 1}


def test_a_concurrent_winner_makes_the_loser_refused_with_state_changed(pair, hatinh_officer):
    stale = DuplicateCandidate.objects.get(pk=pair.pk)
    TABLE.perform(pair, hatinh_officer, "reject", comment="không trùng")
    with pytest.raises(ActionRefused) as refused:
        TABLE.perform(stale, hatinh_officer, "dismiss")  # loaded as open, but no longer open
    assert refused.value.code == "state_changed" and refused.value.status == 409
    assert state(pair) == (DISMISSED, 1, 1)


def test_a_stale_version_is_refused_even_in_the_same_state(pair, hatinh_officer):
    TABLE.perform(pair, hatinh_officer, "reject", comment="x")
    TABLE.perform(pair, hatinh_officer, "reopen")
    with pytest.raises(ActionRefused) as refused:
        TABLE.perform(pair, hatinh_officer, "dismiss", version=0)  # the client saw version 0
    assert refused.value.code == "state_changed"
    assert state(pair) == (OPEN, 2, 2)


@pytest.mark.parametrize(
    ("action", "kwargs", "code", "field"),
    [
        ("reject", {}, "comment_required", "comment"),
        ("reject", {"comment": "   "}, "comment_required", "comment"),
        ("decide", {"decision_number": "12/QĐ-SCT"}, "decision_required", "decision_date"),
        ("decide", {"decision_date": dt.date(2026, 5, 1)}, "decision_required", "decision_number"),
        ("reopen", {}, "wrong_state", None),
        ("fly", {}, "unknown_action", None),
    ],
)
def test_refusals_carry_a_code_and_change_nothing(pair, hatinh_officer, action, kwargs, code, field):
    with pytest.raises(ActionRefused) as refused:
        TABLE.perform(pair, hatinh_officer, action, **kwargs)
    assert refused.value.code == code and refused.value.field == field
    assert state(pair) == (OPEN, 0, 0)


def test_a_decision_step_records_the_decision(pair, hatinh_officer):
    TABLE.perform(pair, hatinh_officer, "decide", decision_number="12/QĐ-SCT", decision_date=dt.date(2026, 5, 1))
    record = DuplicateDecision.objects.get(candidate=pair)
    assert record.decision_number == "12/QĐ-SCT" and record.decision_date == dt.date(2026, 5, 1)


def test_a_failing_check_refuses_with_its_own_code(hatinh_officer):
    make_establishment(name="Cơ sở bí mật")
    queue_duplicates(make_establishment(name="Cơ sở Bí Mật"))
    pair = DuplicateCandidate.objects.get()
    with pytest.raises(ActionRefused) as refused:
        TABLE.perform(pair, hatinh_officer, "dismiss")
    assert refused.value.code == "secret_pair"
    assert state(pair) == (OPEN, 0, 0)
    assert [step.action for step in TABLE.available(pair, hatinh_officer)] == ["reject", "decide"]


def test_permission_and_reach_are_asked_first(pair, nghean_officer, implementer):
    for user, status in ((nghean_officer, 403), (implementer, 403)):
        with pytest.raises(ActionRefused) as refused:
            TABLE.perform(pair, user, "reject", comment="x")
        assert refused.value.code == "forbidden" and refused.value.status == status
        assert TABLE.available(pair, user) == []
    assert state(pair) == (OPEN, 0, 0)


def test_available_lists_what_the_user_may_do_in_this_state(pair, hatinh_officer):
    assert [step.action for step in TABLE.available(pair, hatinh_officer)] == ["dismiss", "reject", "decide"]
    TABLE.perform(pair, hatinh_officer, "dismiss")
    assert [step.action for step in TABLE.available(pair, hatinh_officer)] == ["reopen"]


def test_effects_run_only_after_commit(pair, hatinh_officer, django_capture_on_commit_callbacks):
    ran = []
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        TABLE.perform(pair, hatinh_officer, "dismiss", effects=[lambda: ran.append("mail")])
        assert ran == []  # not inside the transaction
    assert len(callbacks) == 1
    callbacks[0]()
    assert ran == ["mail"]


def test_a_refused_step_queues_no_effect(pair, hatinh_officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ActionRefused):
        TABLE.perform(pair, hatinh_officer, "reject", effects=[lambda: None])
    assert callbacks == []


def test_steps_need_unique_names():
    with pytest.raises(ValueError):
        Lifecycle(DuplicateCandidate, record=DuplicateDecision, steps=[Step("a", {OPEN}, MERGED)] * 2)


def test_a_change_that_leaves_the_users_reach_is_rolled_back(pair, hatinh_officer):
    from khuyencong.territory.models import Province

    nghe_an = Province.objects.current().get(code="40")
    with pytest.raises(ActionRefused) as refused:
        TABLE.perform(pair, hatinh_officer, "dismiss", changes={"province": nghe_an})
    assert refused.value.code == "out_of_scope" and refused.value.status == 403
    assert state(pair) == (OPEN, 0, 0)
    assert DuplicateCandidate.objects.get(pk=pair.pk).province.code == "42"
