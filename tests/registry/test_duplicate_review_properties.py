"""Property tests of the duplicate review lifecycle (registry.actions over kernel.lifecycle): whatever
sequence of merges and dismissals, by whichever roles, with fresh or stale versions, the records never
reach an invalid state.

After every action: a pair's state is one of its three and a decided pair never reopens; its version
rises by one per change and equals its number of decision rows (one transition record per change,
chained from "open"); a refused action changes nothing; no open pair names a merged-away record; a
merged-away record points at a live one (no chains); the live records are exactly those never dropped.
"""

from __future__ import annotations

import itertools

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.organisation.models import Role
from khuyencong.registry.actions import dismiss_duplicate, merge_duplicate
from khuyencong.registry.models import DuplicateCandidate, DuplicateDecision, Establishment
from tests.conftest import HA_TINH, NGHE_AN, _user
from tests.registry.factories import commune_of, make_establishment

pytestmark = pytest.mark.django_db

KINDS = ("merge_first", "merge_second", "dismiss")
STATES = {choice.value for choice in DuplicateCandidate.Status}
OPEN = DuplicateCandidate.Status.OPEN

action = st.tuples(
    st.sampled_from(KINDS),
    st.integers(min_value=0, max_value=20),  # which pair (modulo the number of pairs)
    st.integers(min_value=0, max_value=3),  # which user
    st.booleans(),  # send a stale version
)


@pytest.fixture
def actors(territory, admin_user, hatinh_officer, nghean_officer, django_user_model):
    viewer = _user(django_user_model, "viewer", Role.VIEWER, f"SCT-{HA_TINH}")
    return [hatinh_officer, admin_user, nghean_officer, viewer]


def build_pairs() -> list[DuplicateCandidate]:
    commune = commune_of(HA_TINH)
    records = [make_establishment(name=f"Cơ sở gốm Trùng {i}", commune=commune, tax_code=None) for i in range(4)]
    records.append(make_establishment(province_code=NGHE_AN, name="Cơ sở gốm Trùng Nghệ An", tax_code=None))
    pairs = []
    for first, second in itertools.combinations(records, 2):
        pairs.append(
            DuplicateCandidate.objects.create(
                first=first, second=second, province_id=first.province_id, reason="similar_name", score=0.9
            )
        )
    return pairs


def snapshot(pairs) -> dict:
    pks = [p.pk for p in pairs]
    candidates = {c.pk: (c.status, c.version) for c in DuplicateCandidate.objects.filter(pk__in=pks)}
    decisions = {}
    for decision in DuplicateDecision.objects.filter(candidate_id__in=pks).order_by("pk"):
        decisions.setdefault(decision.candidate_id, []).append((decision.from_state, decision.to_state))
    records = {
        e.pk: (e.merged_into_id, e.status)
        for e in Establishment.objects.filter(pk__in={p.first_id for p in pairs} | {p.second_id for p in pairs})
    }
    return {"candidates": candidates, "decisions": decisions, "records": records}


def check_invariants(before: dict, after: dict, refused: bool) -> None:
    if refused:
        assert after == before, "a refused action changed something"
        return
    for pk, (state, version) in after["candidates"].items():
        old_state, old_version = before["candidates"][pk]
        assert state in STATES
        assert version >= old_version, "a version went down"
        if old_state != OPEN:
            assert (state, version) == (old_state, old_version), "a decided pair changed again"
        chain = after["decisions"].get(pk, [])
        assert len(chain) == version, "not one transition record per change"
        assert [step[0] for step in chain] == ["open"] * len(chain)
        assert all(step[1] == state for step in chain)
        if state != old_state:
            assert version == old_version + 1
    records = after["records"]
    for pk, (merged_into, _status) in records.items():
        if merged_into is not None:
            assert records[merged_into][0] is None, f"record {pk} points at a merged-away record"
    candidates = DuplicateCandidate.objects.filter(pk__in=after["candidates"], status=OPEN)
    for candidate in candidates:
        assert records[candidate.first_id][0] is None and records[candidate.second_id][0] is None, (
            "an open pair names a merged-away record"
        )


def perform(kind: str, candidate: DuplicateCandidate, user, stale: bool) -> None:
    version = candidate.version - 1 if stale else None
    if kind == "dismiss":
        dismiss_duplicate(candidate=candidate, user=user, version=version)
    else:
        keep = "first" if kind == "merge_first" else "second"
        merge_duplicate(candidate=candidate, keep=keep, user=user, version=version)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(action, min_size=1, max_size=8))
def test_no_sequence_of_review_actions_reaches_an_invalid_state(actors, steps):
    with transaction.atomic():
        pairs = build_pairs()
        for kind, which, who, stale in steps:
            candidate = DuplicateCandidate.objects.select_related("first", "second").get(
                pk=pairs[which % len(pairs)].pk
            )
            before = snapshot(pairs)
            try:
                with transaction.atomic():
                    perform(kind, candidate, actors[who], stale)
                refused = False
            except ActionRefused:
                refused = True
            check_invariants(before, snapshot(pairs), refused)
        transaction.set_rollback(True)


def test_the_properties_are_not_vacuous(actors):
    """The generated sequences do reach merges, dismissals and refusals (each kind of outcome)."""
    with transaction.atomic():
        pairs = build_pairs()
        hatinh, _admin, nghean, viewer = actors
        with pytest.raises(ActionRefused):
            dismiss_duplicate(candidate=pairs[0], user=viewer)
        with pytest.raises(ActionRefused):
            dismiss_duplicate(candidate=pairs[0], user=hatinh, version=pairs[0].version - 1)
        dismiss_duplicate(candidate=pairs[0], user=hatinh)
        merge_duplicate(candidate=pairs[1], keep="first", user=hatinh)  # drops record 2: its open pairs close
        closed = DuplicateCandidate.objects.filter(pk__in=[p.pk for p in pairs], status="merged").count()
        assert closed > 1
        with pytest.raises(ActionRefused):
            merge_duplicate(candidate=pairs[3], keep="first", user=nghean)  # Hà Tĩnh pair, Nghệ An officer
        transaction.set_rollback(True)
