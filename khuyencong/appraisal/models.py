"""Appraisal councils (hội đồng thẩm định): who sits, what they score, which projects they review.

A Department's council (level local) sits for one province and reviews the projects submitted
to that Department (national and local ones); the Agency's council (level national) reviews the
national projects sent to the Agency. Each member fills one score sheet per project against the
council's criteria (each with its maximum score); a project's average is the mean of the
submitted sheets' totals and it passes when the average reaches the council's threshold. A
council's conclusion on a project performs the project's appraisal step (``actions``).

Reach: a Department's council by its province; the Agency's councils (no province) nationwide.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from khuyencong.kernel.audit import ChangeLoggedModel, ChangeLoggedQuerySet
from khuyencong.kernel.models import TransitionRecord
from khuyencong.kernel.scoping import ScopedQuerySetMixin
from khuyencong.kernel.text import fold, normalize
from khuyencong.rulebook.models import Level


class CouncilQuerySet(ScopedQuerySetMixin, ChangeLoggedQuerySet):
    pass


# The criteria a new council starts with (code, name, maximum score): 100 points in all.
DEFAULT_CRITERIA = [
    ("necessity", _("Necessity of the project"), 20),
    ("feasibility", _("Feasibility of the content and timeline"), 25),
    ("spillover", _("Spill-over effect and replication"), 20),
    ("budget", _("Soundness of the budget and the support requested"), 20),
    ("capacity", _("Capacity of the beneficiaries and their counterpart"), 15),
]
DEFAULT_THRESHOLD = Decimal("70")


class Council(ChangeLoggedModel):
    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("council state", "Open")
        CONCLUDED = "concluded", pgettext_lazy("council state", "Concluded")

    level = models.CharField(
        _("level"),
        max_length=10,
        choices=Level.choices,
        help_text=_("Local: a Department's council for its province; national: the Agency's council."),
    )
    year = models.PositiveSmallIntegerField(_("plan year"))
    province = models.ForeignKey(
        "territory.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Only for a Department's council."),
    )
    convening_unit = models.ForeignKey(
        "organisation.OrgUnit",
        verbose_name=_("convening unit"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The Department (or the Agency) that establishes the council."),
    )
    name = models.CharField(_("name"), max_length=300)
    decision_number = models.CharField(_("establishing decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("establishing decision date"), null=True, blank=True)
    pass_threshold = models.DecimalField(
        _("pass threshold"),
        max_digits=5,
        decimal_places=1,
        default=DEFAULT_THRESHOLD,
        help_text=_("A project passes when the average of the submitted sheets reaches this score."),
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.OPEN)
    minutes = models.TextField(_("minutes"), blank=True)
    concluded_on = models.DateField(_("concluded on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    folded_name = models.CharField(max_length=400, editable=False, default="")

    objects = CouncilQuerySet.as_manager()
    scope_province_field = "province"
    scope_org_unit_field = None

    class Meta:
        ordering = ["-year", "level", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_threshold__gte=0, pass_threshold__lte=1000), name="council_threshold_range"
            ),
        ]
        indexes = [models.Index(fields=["province", "year"], name="council_province_year")]
        verbose_name = _("appraisal council")
        verbose_name_plural = _("appraisal councils")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name = normalize(self.name)
        self.folded_name = fold(f"{self.name} {self.decision_number} {self.year}")
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    @property
    def is_agency(self) -> bool:
        return self.level == Level.NATIONAL


class CouncilTransition(TransitionRecord):
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionRecord.Meta):
        verbose_name = _("council transition")
        verbose_name_plural = _("council transitions")


class CouncilMember(ChangeLoggedModel):
    class Role(models.TextChoices):
        CHAIR = "chair", pgettext_lazy("council role", "Chair")
        SECRETARY = "secretary", pgettext_lazy("council role", "Secretary")
        MEMBER = "member", pgettext_lazy("council role", "Member")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="council_seats",
        help_text=_("The member's account, when they score in the system themselves."),
    )
    full_name = models.CharField(_("full name"), max_length=150)
    position = models.CharField(_("position"), max_length=200, blank=True)
    role = models.CharField(_("role in the council"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["council", "order", "pk"]
        verbose_name = _("council member")
        verbose_name_plural = _("council members")

    def __str__(self) -> str:
        return self.full_name


class Criterion(ChangeLoggedModel):
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="criteria")
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("criterion"), max_length=300)
    max_score = models.PositiveSmallIntegerField(_("maximum score"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["council", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["council", "code"], name="criterion_code_once_per_council")]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return self.name


class CouncilProject(ChangeLoggedModel):
    class Conclusion(models.TextChoices):
        NONE = "", pgettext_lazy("council conclusion", "Not concluded")
        PASS = "pass", pgettext_lazy("council conclusion", "Passes")
        FAIL = "fail", pgettext_lazy("council conclusion", "Does not pass")
        NEEDS_DOCUMENTS = "needs_documents", pgettext_lazy("council conclusion", "Needs documents")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="reviews")
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="council_reviews"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    conclusion = models.CharField(
        _("conclusion"), max_length=20, choices=Conclusion.choices, default=Conclusion.NONE, blank=True
    )
    conclusion_comment = models.TextField(_("conclusion comment"), blank=True)
    average = models.DecimalField(_("average score"), max_digits=6, decimal_places=2, null=True, blank=True)
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["council", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["council", "project"], name="project_once_per_council")]
        verbose_name = _("project under review")
        verbose_name_plural = _("projects under review")

    def __str__(self) -> str:
        return str(self.project)


class ScoreSheet(ChangeLoggedModel):
    review = models.ForeignKey(CouncilProject, on_delete=models.CASCADE, related_name="sheets")
    member = models.ForeignKey(CouncilMember, on_delete=models.PROTECT, related_name="sheets")
    comment = models.TextField(_("comment"), blank=True)
    submitted = models.BooleanField(_("submitted"), default=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["review", "member__order", "pk"]
        constraints = [models.UniqueConstraint(fields=["review", "member"], name="sheet_once_per_member")]
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")

    def __str__(self) -> str:
        return f"{self.member}: {self.review}"


class Score(ChangeLoggedModel):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    value = models.DecimalField(_("score"), max_digits=5, decimal_places=1)

    class Meta:
        ordering = ["sheet", "criterion__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="score_once_per_criterion"),
            models.CheckConstraint(condition=Q(value__gte=0), name="score_not_negative"),
        ]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
