"""Public functions of the registry: eligibility, duplicate detection, merging.

Writes that users start go through :mod:`khuyencong.registry.actions`."""

from __future__ import annotations

from difflib import SequenceMatcher

from django.db import connection, transaction
from django.utils.translation import gettext as _

from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.registry.eligibility import Eligibility, eligibility, eligibility_filter, eligible_ids_q, eligible_q
from khuyencong.registry.models import DuplicateCandidate, Establishment

# Re-exported: the eligibility API lives in .eligibility.
__all__ = ["Eligibility", "eligibility", "eligibility_filter", "eligible_ids_q", "eligible_q"]

SIMILARITY_THRESHOLD = 0.8
SIMILAR_LOOKBACK = 200  # records of a commune compared by name similarity in a batch
TRIGRAM_FLOOR = 0.4  # the trigram similarity below which names are not compared further


def name_similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio()


def _folded_name(est: Establishment) -> str:
    from khuyencong.kernel.text import fold

    return fold(est.name)


def similar_in_commune(establishment: Establishment) -> list[tuple[Establishment, str, float]]:
    """Live establishments of the same commune whose name is the same or close once folded.

    On PostgreSQL the trigram similarity of the folded search text narrows the candidates in the
    database; elsewhere a commune's records are compared in Python (a commune holds hundreds,
    not millions).
    """
    others = Establishment.objects.live().filter(commune_id=establishment.commune_id).exclude(pk=establishment.pk)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        others = others.annotate(sim=TrigramSimilarity("name", establishment.name)).filter(sim__gte=0.4)
    mine = _folded_name(establishment)
    found = []
    for other in others.only("pk", "name", "commune_id", "province_id")[:500]:
        theirs = _folded_name(other)
        if theirs == mine:
            found.append((other, DuplicateCandidate.Reason.SAME_NAME_COMMUNE, 1.0))
        else:
            score = name_similarity(mine, theirs)
            if score >= SIMILARITY_THRESHOLD:
                found.append((other, DuplicateCandidate.Reason.SIMILAR_NAME, round(score, 3)))
    return found


def queue_duplicates(establishment: Establishment) -> int:
    """Put every likely duplicate of ``establishment`` in the review queue; returns how many are new."""
    created = 0
    for other, reason, score in similar_in_commune(establishment):
        first, second = sorted([establishment.pk, other.pk])
        _candidate, was_created = DuplicateCandidate.objects.get_or_create(
            first_id=first,
            second_id=second,
            defaults={"reason": reason, "score": score, "province_id": establishment.province_id},
        )
        created += was_created
    return created


def _relations(model):
    """Every relation that points at ``model`` from another row's foreign key.

    The link rows of ``model``'s own many-to-many fields (auto-created through tables) are left
    out: moving them by UPDATE would collide with the kept record's identical links, so the
    merge unions those through the field instead.
    """
    return [
        rel
        for rel in model._meta.get_fields(include_hidden=True)
        if (rel.one_to_many or rel.one_to_one)
        and rel.auto_created
        and not rel.concrete
        and not rel.related_model._meta.auto_created
    ]


@transaction.atomic
def merge_establishments(*, keep: Establishment, drop: Establishment, user) -> Establishment:
    """Merge ``drop`` into ``keep``: every link to ``drop`` moves to ``keep``, empty fields of ``keep``
    are filled from ``drop``, and ``drop`` stays as a merged record so both histories remain.

    Raises ``ActionRefused``; the caller decides the duplicate pairs (registry.actions).
    """
    if keep.pk == drop.pk:
        raise ActionRefused("same_record", _("A record cannot be merged with itself."))
    # Lock both rows so two officers cannot merge the same pair at once.
    locked = {e.pk: e for e in Establishment.objects.select_for_update().filter(pk__in=[keep.pk, drop.pk])}
    keep, drop = locked[keep.pk], locked[drop.pk]
    if keep.merged_into_id or drop.merged_into_id:
        raise ActionRefused("already_merged", _("One of the records has already been merged into another."))

    for rel in _relations(Establishment):
        if rel.related_model is DuplicateCandidate:
            continue  # pairs are decided by the caller, not moved
        rel.related_model._base_manager.filter(**{rel.field.name: drop}).update(**{rel.field.name: keep})
    for field in Establishment._meta.many_to_many:
        getattr(keep, field.name).add(*getattr(drop, field.name).all())  # a union: shared links stay once

    fill = [
        f.name
        for f in Establishment._meta.concrete_fields
        if f.editable and f.name not in {"id", "tax_code", "external_id"} and getattr(keep, f.attname) in (None, "")
    ]
    for name in fill:
        setattr(
            keep,
            Establishment._meta.get_field(name).attname,
            getattr(drop, Establishment._meta.get_field(name).attname),
        )
    tax_code, external_id = drop.tax_code, drop.external_id
    drop.tax_code = None
    drop.external_id = None
    drop.merged_into = keep
    drop.status = Establishment.Status.CLOSED
    drop.save()
    if not keep.tax_code and tax_code:
        keep.tax_code = tax_code
    if not keep.external_id and external_id:
        keep.external_id = external_id
    keep.save()
    return keep


def _trigrams(folded: str) -> frozenset[str]:
    """Word trigrams as pg_trgm builds them (each word padded), for a cheap first filter."""
    grams: set[str] = set()
    for word in folded.split():
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def queue_duplicates_batch(establishments: list[Establishment]) -> int:
    """:func:`queue_duplicates` for many records at once (an import batch): one query for the live
    records of their communes, the comparison in Python, one insert. Returns how many pairs are new.

    Same folded names are found through a dictionary, whatever the commune's size; similar names
    are looked for among the commune's newest ``SIMILAR_LOOKBACK`` records, as the one-record
    version looks at a bounded number of candidates."""
    from khuyencong.kernel.text import fold

    if not establishments:
        return 0
    communes = sorted({e.commune_id for e in establishments})
    same: dict[tuple[int, str], list[int]] = {}
    recent: dict[int, list[tuple[int, str, frozenset[str]]]] = {}
    live = Establishment.objects.live().filter(commune_id__in=communes).order_by("-pk")
    for pk, name, commune_id in live.values_list("pk", "name", "commune_id").iterator(chunk_size=5_000):
        folded = fold(name)
        same.setdefault((commune_id, folded), []).append(pk)
        nearby = recent.setdefault(commune_id, [])
        if len(nearby) < SIMILAR_LOOKBACK:
            nearby.append((pk, folded, _trigrams(folded)))
    pairs: dict[tuple[int, int], DuplicateCandidate] = {}

    def add(establishment, pk: int, reason: str, score: float) -> None:
        pair = (min(establishment.pk, pk), max(establishment.pk, pk))
        if pk != establishment.pk and pair not in pairs:
            pairs[pair] = DuplicateCandidate(
                first_id=pair[0], second_id=pair[1], reason=reason, score=score, province_id=establishment.province_id
            )

    matcher = SequenceMatcher(None)
    for establishment in establishments:
        mine = fold(establishment.name)
        for pk in same.get((establishment.commune_id, mine), ()):
            add(establishment, pk, DuplicateCandidate.Reason.SAME_NAME_COMMUNE, 1.0)
        matcher.set_seq2(mine)  # analysed once, compared with each candidate
        grams = _trigrams(mine)
        for pk, theirs, their_grams in recent.get(establishment.commune_id, ()):
            if theirs == mine:
                continue
            shorter, longer = sorted((len(mine), len(theirs)))
            if 2 * shorter / (shorter + longer or 1) < SIMILARITY_THRESHOLD:
                continue  # the ratio cannot reach the threshold
            if len(grams & their_grams) < TRIGRAM_FLOOR * len(grams | their_grams):
                continue  # as PostgreSQL's trigram filter in similar_in_commune
            matcher.set_seq1(theirs)
            if matcher.quick_ratio() < SIMILARITY_THRESHOLD:
                continue
            score = matcher.ratio()
            if score >= SIMILARITY_THRESHOLD:
                add(establishment, pk, DuplicateCandidate.Reason.SIMILAR_NAME, round(score, 3))
    if not pairs:
        return 0
    known = set(
        DuplicateCandidate.objects.filter(
            first_id__in={first for first, _second in pairs}, second_id__in={second for _first, second in pairs}
        ).values_list("first_id", "second_id")
    )
    new = [candidate for pair, candidate in pairs.items() if pair not in known]
    DuplicateCandidate.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
