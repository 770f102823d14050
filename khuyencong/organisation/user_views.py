"""User and role management pages. They translate requests; every write is an ``actions`` call.

A user outside the actor's reach does not exist for them (404); an actor whose roles have no
user-management right gets 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from khuyencong.kernel.lifecycle import ActionRefused
from khuyencong.kernel.scoping import can
from khuyencong.kernel.text import fold
from khuyencong.organisation import actions
from khuyencong.organisation.forms import RoleAssignmentForm, UserCreateForm, UserProfileForm
from khuyencong.web.pagination import capped_page


class UserManagementMixin(LoginRequiredMixin):
    right = "view"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can(request.user, self.right, actions.USERS):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_user(self, right=None):
        users = actions.manageable_users(self.request.user, right or self.right)
        user = users.filter(pk=self.kwargs["pk"]).first()
        if user is None:
            raise Http404
        return user

    def rights(self) -> dict[str, bool]:
        user = self.request.user
        names = (
            "create_user", "edit_user", "assign_role", "end_assignment", "deactivate_user", "reactivate_user",
            "reset_password",
        )  # fmt: skip
        return {f"can_{name}": can(user, name, actions.USERS) for name in names}

    def detail_url(self, user) -> str:
        return reverse("users:user_detail", args=[user.pk])

    def refused(self, exc: ActionRefused, user):
        if exc.status == 404:
            raise Http404
        messages.error(self.request, exc.message)
        return HttpResponseRedirect(self.detail_url(user))


def _search(users, query: str):
    """Accent-insensitive search on user name, full name and e-mail (folded in Python: accounts
    are few, and folding here needs no database extension)."""
    words = fold(query).split()
    if not words:
        return users
    matches = [
        pk
        for pk, *texts in users.values_list("pk", "username", "full_name", "email")
        if all(word in fold(" ".join(t or "" for t in texts)) for word in words)
    ]
    return users.filter(pk__in=matches)


class UserListView(UserManagementMixin, View):
    page_size = 50

    def get(self, request):
        query = request.GET.get("q", "")[:200]
        users = _search(actions.manageable_users(request.user), query).order_by("username")
        page = capped_page(
            users.prefetch_related("role_assignments__org_unit"), request.GET.get("page"), self.page_size
        )
        today = timezone.localdate()
        rows = [(user, [a for a in user.role_assignments.all() if _current(a, today)]) for user in page.object_list]
        context = {"rows": rows, "page": page, "query": query, **self.rights()}
        return render(request, "organisation/user_list.html", context)


def _current(assignment, today) -> bool:
    starts, ends = assignment.valid_from, assignment.valid_to
    return (starts is None or starts <= today) and (ends is None or ends >= today)


class UserDetailView(UserManagementMixin, View):
    def get(self, request, pk):
        user = self.get_user()
        today = timezone.localdate()
        assignments = user.role_assignments.select_related("org_unit").order_by("-valid_to", "role")
        rows = [(a, _current(a, today), a.valid_to is None or a.valid_to >= today) for a in assignments]
        context = {"object": user, "assignments": rows, **self.rights()}
        return render(request, "organisation/user_detail.html", context)


class UserCreateView(UserManagementMixin, View):
    right = actions.CREATE_USER

    def render_form(self, form):
        return render(self.request, "organisation/user_form.html", {"form": form, "object": None})

    def get(self, request):
        return self.render_form(UserCreateForm(actor=request.user))

    def post(self, request):
        form = UserCreateForm(request.POST, actor=request.user)
        if not form.is_valid():
            return self.render_form(form)
        try:
            user = actions.create_user(
                actor=request.user, domain=request.get_host(), use_https=request.is_secure(), **form.cleaned_data
            )
        except ActionRefused as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
            return self.render_form(form)
        messages.success(request, _("Created “%(user)s”; a link to choose a password was sent.") % {"user": user})
        return HttpResponseRedirect(self.detail_url(user))


class UserEditView(UserManagementMixin, View):
    """The person's name, e-mail, job title and phone."""

    right = actions.EDIT_USER

    def render_form(self, form, user):
        context = {"form": form, "object": user, "editing": True}
        return render(self.request, "organisation/user_form.html", context)

    def get(self, request, pk):
        user = self.get_user()
        initial = {name: getattr(user, name) for name in actions.PROFILE_FIELDS}
        return self.render_form(UserProfileForm(initial=initial), user)

    def post(self, request, pk):
        user = self.get_user()
        form = UserProfileForm(request.POST)
        if not form.is_valid():
            return self.render_form(form, user)
        try:
            actions.edit_user(actor=request.user, user=user, **form.cleaned_data)
        except ActionRefused as exc:
            if exc.status == 404:
                raise Http404 from None
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
            return self.render_form(form, user)
        messages.success(request, _("Saved “%(obj)s”.") % {"obj": user.full_name or user.username})
        return HttpResponseRedirect(self.detail_url(user))


class AssignmentCreateView(UserManagementMixin, View):
    right = actions.ASSIGN_ROLE

    def render_form(self, form, user):
        return render(self.request, "organisation/user_form.html", {"form": form, "object": user})

    def get(self, request, pk):
        user = self.get_user()
        return self.render_form(RoleAssignmentForm(actor=request.user), user)

    def post(self, request, pk):
        user = self.get_user()
        form = RoleAssignmentForm(request.POST, actor=request.user)
        if not form.is_valid():
            return self.render_form(form, user)
        try:
            actions.assign_role(actor=request.user, user=user, **form.cleaned_data)
        except ActionRefused as exc:
            if exc.status == 404:
                raise Http404 from None
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
            return self.render_form(form, user)
        messages.success(request, _("Role assigned."))
        return HttpResponseRedirect(self.detail_url(user))


class UserActionView(UserManagementMixin, View):
    """POST-only buttons on the user page: end an assignment, deactivate, send a reset link."""

    http_method_names = ["post"]
    done = ""

    def perform(self, user):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        user = self.get_user()
        try:
            self.perform(user)
        except ActionRefused as exc:
            return self.refused(exc, user)
        messages.success(request, self.done)
        return HttpResponseRedirect(self.detail_url(user))


class EndAssignmentView(UserActionView):
    right = actions.END_ASSIGNMENT

    def perform(self, user):
        assignment = user.role_assignments.filter(pk=self.kwargs["assignment"]).first()
        if assignment is None:
            raise Http404
        self.done = _("The assignment has ended.")
        actions.end_assignment(actor=self.request.user, assignment=assignment)


class DeactivateUserView(UserActionView):
    right = actions.DEACTIVATE_USER

    def perform(self, user):
        self.done = _("The account is deactivated.")
        actions.deactivate_user(actor=self.request.user, user=user)


class ReactivateUserView(UserActionView):
    right = actions.REACTIVATE_USER

    def perform(self, user):
        self.done = _("The account is active again.")
        actions.reactivate_user(actor=self.request.user, user=user)


class ResetPasswordView(UserActionView):
    right = actions.RESET_PASSWORD

    def perform(self, user):
        self.done = _("The password was reset; a link to choose a new one was sent to %(email)s.") % {
            "email": user.email
        }
        actions.reset_password(
            actor=self.request.user, user=user, domain=self.request.get_host(), use_https=self.request.is_secure()
        )
