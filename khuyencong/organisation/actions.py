"""Every write on user accounts and role assignments, named for the business event.

The user-management pages call these functions and do nothing else to the database. Each one
checks the named right in the permission matrix (``permissions.USER_MANAGEMENT``), checks that
the target user lies in the actor's reach, validates, and writes in one transaction; the models
are change-logged, so every write leaves an audit entry with the acting user.

Reach of a user manager: a nationwide manager (system administrator) reaches everyone. A
provincial manager reaches the users whose every current role assignment is one they could grant
themselves (a role of ``PROVINCIAL_GRANTABLE`` on a unit of their reach) and who have at least one
assignment there; never a superuser, never themselves. They grant only those roles, only on units
whose own reach stays inside theirs.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from khuyencong.accounts.models import User
from khuyencong.kernel.audit import log_change
from khuyencong.kernel.lifecycle import ActionRefused, Invalid
from khuyencong.kernel.scoping import Scope, can, clear_cache, user_scope
from khuyencong.organisation.models import OrgUnit, Role, RoleAssignment
from khuyencong.organisation.services import reach_of

USERS = "accounts.user"
CREATE_USER, ASSIGN_ROLE, END_ASSIGNMENT = "create_user", "assign_role", "end_assignment"
DEACTIVATE_USER, RESET_PASSWORD = "deactivate_user", "reset_password"
EDIT_USER, REACTIVATE_USER = "edit_user", "reactivate_user"

# Roles a manager without nationwide reach may grant: the province's own staff and partners.
# Everything else (system administrator, agency, regional centre, inspector, provincial leader)
# is granted nationwide only.
PROVINCIAL_GRANTABLE = (
    Role.PROVINCIAL_OFFICER,
    Role.PROVINCIAL_FINANCE,
    Role.IMPLEMENTER,
    Role.ESTABLISHMENT,
    Role.VIEWER,
)
# Units whose people reach beyond one province: never bound by a provincial manager.
_WIDE_KINDS = (*OrgUnit.NATIONAL_KINDS, OrgUnit.Kind.REGIONAL_CENTRE)


def manager_scope(actor, action: str = "view") -> Scope:
    return user_scope(actor, action, USERS)


def _in_reach_q(scope: Scope) -> Q:
    """Assignments bound to a unit inside ``scope`` (a unit of a wide kind never is)."""
    return (
        Q(org_unit__province_id__in=sorted(scope.province_ids)) | Q(org_unit_id__in=sorted(scope.org_unit_ids))
    ) & ~Q(org_unit__kind__in=_WIDE_KINDS)


def manageable_users(actor, action: str = "view"):
    """The users ``actor`` may ``action`` through the user-management pages."""
    scope = manager_scope(actor, action)
    users = User.objects.all()
    if scope.is_empty:
        return users.none()
    if scope.everywhere:
        return users
    today = timezone.localdate()
    current = Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    inside = RoleAssignment.objects.filter(_in_reach_q(scope)).values("user_id")
    # A current assignment elsewhere, or in a role only granted nationwide (a peer leader), puts
    # the user beyond a provincial manager.
    outside = (
        RoleAssignment.objects.filter(current)
        .filter(~_in_reach_q(scope) | ~Q(role__in=PROVINCIAL_GRANTABLE))
        .values("user_id")
    )
    return users.filter(pk__in=inside, is_superuser=False).exclude(pk__in=outside).exclude(pk=actor.pk)


def grantable_roles(actor) -> list[tuple[str, Any]]:  # (value, lazy label)
    scope = manager_scope(actor, ASSIGN_ROLE)
    if scope.everywhere:
        return list(Role.choices)
    return [(value, label) for value, label in Role.choices if value in PROVINCIAL_GRANTABLE]


def grantable_units(actor):
    """Active units ``actor`` may bind an assignment to."""
    scope = manager_scope(actor, ASSIGN_ROLE)
    units = OrgUnit.objects.active()
    if scope.is_empty:
        return units.none()
    if scope.everywhere:
        return units
    return units.filter(Q(province_id__in=sorted(scope.province_ids)) | Q(pk__in=sorted(scope.org_unit_ids))).exclude(
        kind__in=_WIDE_KINDS
    )


def _unit_within(unit: OrgUnit | None, scope: Scope) -> bool:
    if scope.everywhere:
        return True
    if unit is None or unit.kind in _WIDE_KINDS:
        return False
    if not scope.covers(province_id=unit.province_id, org_unit_id=unit.pk):
        return False
    reach = reach_of(unit)
    return not reach.everywhere and reach.province_ids <= scope.province_ids


def _require(actor, action: str) -> None:
    if not can(actor, action, USERS):
        raise ActionRefused("forbidden", _("You are not allowed to do this."), status=403)


def _target(actor, action: str, user: User) -> User:
    """``user`` reloaded and locked, or a 404 when it is outside the actor's reach (or is the actor)."""
    if user.pk == actor.pk:
        raise ActionRefused("own_account", _("You cannot change your own account here."), status=403)
    target = manageable_users(actor, action).select_for_update().filter(pk=user.pk).first()
    if target is None:
        raise ActionRefused("not_found", _("Not found."), status=404)
    return target


def _assignment_errors(actor, role: str, org_unit: OrgUnit | None, valid_from, valid_to) -> dict[str, str]:
    errors: dict[str, str] = {}
    scope = manager_scope(actor, ASSIGN_ROLE)
    if role not in Role.values:
        errors["role"] = _("Choose a role from the list.")
    elif not scope.everywhere and role not in PROVINCIAL_GRANTABLE:
        errors["role"] = _("Only a system administrator may grant this role.")
    if org_unit is not None and not org_unit.is_active:
        errors["org_unit"] = _("This org unit is no longer active.")
    elif not _unit_within(org_unit, scope):
        if org_unit is None:
            errors["org_unit"] = _("Choose an org unit: only a system administrator may grant a nationwide role.")
        else:
            errors["org_unit"] = _("This org unit is outside your reach.")
    if valid_from and valid_to and valid_to < valid_from:
        errors["valid_to"] = _("The end date must not be before the start date.")
    return errors


def _send_reset_mail(user: User, *, domain: str, use_https: bool) -> None:
    context = {
        "email": user.email,
        "domain": domain,
        "site_name": "Khuyến công",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": "https" if use_https else "http",
    }
    PasswordResetForm().send_mail(
        "registration/password_reset_subject.txt",
        "registration/password_reset_email.html",
        context,
        None,
        user.email,
    )


def _scramble_password(user: User) -> None:
    """A random password nobody knows: the account is reached only through the reset mail."""
    user.set_password(secrets.token_urlsafe(32))


@transaction.atomic
def create_user(
    *,
    actor,
    username: str,
    email: str,
    full_name: str = "",
    title: str = "",
    phone: str = "",
    role: str,
    org_unit: OrgUnit | None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    domain: str = "localhost",
    use_https: bool = True,
) -> User:
    """Create an account with its first role assignment and mail the user a link to set a password."""
    _require(actor, CREATE_USER)
    _require(actor, ASSIGN_ROLE)
    errors = _assignment_errors(actor, role, org_unit, valid_from, valid_to)
    username = (username or "").strip()
    email = (email or "").strip()
    if not username:
        errors["username"] = _("This field is required.")
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("This user name is already taken.")
    if not email:
        errors["email"] = _("An e-mail address is needed to send the link that sets the password.")
    if errors:
        raise Invalid(errors)
    user = User(username=username, email=email, full_name=full_name, title=title, phone=phone, is_active=True)
    _scramble_password(user)
    user.save()
    RoleAssignment.objects.create(user=user, role=role, org_unit=org_unit, valid_from=valid_from, valid_to=valid_to)
    transaction.on_commit(lambda: _send_reset_mail(user, domain=domain, use_https=use_https))
    return user


@transaction.atomic
def assign_role(
    *,
    actor,
    user: User,
    role: str,
    org_unit: OrgUnit | None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    note: str = "",
) -> RoleAssignment:
    _require(actor, ASSIGN_ROLE)
    target = _target(actor, ASSIGN_ROLE, user)
    errors = _assignment_errors(actor, role, org_unit, valid_from, valid_to)
    if errors:
        raise Invalid(errors)
    assignment = RoleAssignment.objects.create(
        user=target, role=role, org_unit=org_unit, valid_from=valid_from, valid_to=valid_to, note=note
    )
    clear_cache(target)
    return assignment


@transaction.atomic
def end_assignment(*, actor, assignment: RoleAssignment) -> RoleAssignment:
    """End the assignment: it grants nothing from today on."""
    _require(actor, END_ASSIGNMENT)
    _target(actor, END_ASSIGNMENT, assignment.user)
    scope = manager_scope(actor, END_ASSIGNMENT)
    current = RoleAssignment.objects.select_for_update().filter(pk=assignment.pk).first()
    if current is None or not _unit_within(current.org_unit, scope):
        raise ActionRefused("not_found", _("Not found."), status=404)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    if current.valid_to is not None and current.valid_to <= yesterday:
        raise ActionRefused("already_ended", _("This assignment has already ended."))
    current.valid_to = yesterday
    if current.valid_from is not None and current.valid_from > yesterday:
        current.valid_from = yesterday  # it had not started: it never will
    current.save()
    clear_cache(current.user)
    return current


@transaction.atomic
def deactivate_user(*, actor, user: User) -> User:
    """Block the account: no sign-in, no API token, no role grants anything any more."""
    _require(actor, DEACTIVATE_USER)
    target = _target(actor, DEACTIVATE_USER, user)
    if not target.is_active:
        raise ActionRefused("already_inactive", _("This account is already deactivated."))
    target.is_active = False
    target.save()
    target.api_tokens.active().update(revoked_at=timezone.now())
    return target


@transaction.atomic
def reactivate_user(*, actor, user: User) -> User:
    """Let a deactivated account sign in again; its role assignments grant again as they stand
    (its API tokens stay revoked: the person issues new ones)."""
    _require(actor, REACTIVATE_USER)
    target = _target(actor, REACTIVATE_USER, user)
    if target.is_active:
        raise ActionRefused("already_active", _("This account is already active."))
    target.is_active = True
    target.save()
    clear_cache(target)
    return target


PROFILE_FIELDS = ("full_name", "email", "title", "phone")


@transaction.atomic
def edit_user(*, actor, user: User, full_name: str, email: str, title: str = "", phone: str = "") -> User:
    """Change the person's name, e-mail, job title and phone (what they act for is their role
    assignments, changed by ``assign_role`` / ``end_assignment``)."""
    _require(actor, EDIT_USER)
    target = _target(actor, EDIT_USER, user)
    values = {"full_name": full_name, "email": email, "title": title, "phone": phone}
    values = {name: (value or "").strip() for name, value in values.items()}
    errors: dict[str, str] = {}
    if not values["full_name"]:
        errors["full_name"] = _("This field is required.")
    if not values["email"]:
        errors["email"] = _("An e-mail address is needed to send the link that sets the password.")
    if errors:
        raise Invalid(errors)
    for name, value in values.items():
        setattr(target, name, value)
    target.save()
    return target


@transaction.atomic
def reset_password(*, actor, user: User, domain: str, use_https: bool) -> User:
    """Replace the password with one nobody knows and mail the user a link to choose a new one."""
    _require(actor, RESET_PASSWORD)
    target = _target(actor, RESET_PASSWORD, user)
    if not target.is_active:
        raise ActionRefused("inactive", _("This account is deactivated."))
    if not target.email:
        raise ActionRefused("no_email", _("This account has no e-mail address to send the link to."))
    _scramble_password(target)
    target.save()
    # The change log leaves passwords out; the reset itself is recorded.
    log_change(target, "update", {"password": "…"}, {"password": _("reset by %(name)s") % {"name": actor}})
    transaction.on_commit(lambda: _send_reset_mail(target, domain=domain, use_https=use_https))
    return target
