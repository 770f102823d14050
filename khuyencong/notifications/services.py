"""The notification layer other apps plug into.

* :func:`notify` writes one in-app notification per recipient (and e-mails the new ones when
  asked), once per ``dedupe_key``; :func:`notify_after_commit` does it after the caller's
  transaction commits (the effect of a lifecycle action).
* :func:`reminder_provider` registers a daily source of :class:`Reminder`\\ s; an app declares its
  providers in its own ``reminders.py`` (imported at start-up by ``NotificationsConfig.ready``).
* :func:`send_daily_reminders` (the worker runs it every morning, ``khuyencong send-reminders``
  by hand) writes each reminder as a notification and sends each person one digest e-mail a day.

Texts are rendered in each recipient's language (``User.language``): pass lazy strings
(``gettext_lazy``, ``format_lazy``) for subject and body, and they are translated per person.
Who must act on a row is ``organisation.services.users_holding(action, model, row)``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from khuyencong.accounts.models import User
from khuyencong.notifications.models import DigestRun, Notification

logger = logging.getLogger(__name__)

# Kinds the layer itself knows; apps add their own short codes (project_submitted, …).
DEADLINE_DUE = "deadline_due"
DEADLINE_OVERDUE = "deadline_overdue"
DIGEST = "digest"

Text = str | Promise
Recipient = User | int
# What a notification is about: a model instance, or (app_label.model, key).
Ref = models.Model | tuple[str, str | int] | None

MAX_SUBJECT = 255
MAX_KEY = 200


# --- writing notifications ---------------------------------------------------------------------


def language_of(user: User) -> str:
    """The language to write to ``user`` in: the one they chose, else the system's (Vietnamese)."""
    chosen = user.language or ""
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def ref_of(ref: Ref) -> tuple[str, str]:
    """("app_label.model", "key") of a reference, or two empty strings."""
    if ref is None:
        return "", ""
    if isinstance(ref, models.Model):
        return ref._meta.label_lower, str(ref.pk)
    label, key = ref
    return str(label).lower(), str(key)


def _check_sizes(*, kind: str, link: str, dedupe_key: str) -> None:
    """Fail loudly in the caller (SQLite would store an over-long value, PostgreSQL refuse it)."""
    for name, value, limit in (("kind", kind, 60), ("link", link, 500), ("dedupe_key", dedupe_key, MAX_KEY)):
        if len(value) > limit:
            raise ValueError(f"{name} is longer than {limit} characters.")
    if not kind:
        raise ValueError("A notification needs a kind.")


def _checked_link(link: str) -> str:
    """A site-relative address ("/plans/3/"); anything else could send a reader off the site."""
    if link and (not link.startswith("/") or link.startswith("//") or "\\" in link):
        raise ValueError(f"A notification link must be an address on this site, not {link!r}.")
    return link


def _users(recipients: Iterable[Recipient]) -> list[User]:
    """The active users among ``recipients`` (users or ids), once each, in one query."""
    ids = {r.pk if isinstance(r, User) else int(r) for r in recipients}
    if not ids:
        return []
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def notify(
    *,
    recipients: Iterable[Recipient],
    kind: str,
    subject: Text,
    body: Text = "",
    link: str = "",
    ref: Ref = None,
    dedupe_key: str = "",
    email: bool = False,
) -> int:
    """Write a notification to each active recipient; return how many were new.

    With a ``dedupe_key``, a recipient who already has a notification under that key gets no
    second one (a unique constraint on recipient and key; the insert ignores conflicts on SQLite
    and PostgreSQL alike). With ``email=True`` only the new notifications are e-mailed, each in its
    recipient's language; a failed e-mail is logged and leaves ``emailed_at`` empty.
    """
    _check_sizes(kind=kind, link=link, dedupe_key=dedupe_key)
    link = _checked_link(link)
    ref_type, ref_id = ref_of(ref)
    if len(ref_type) > 100 or len(ref_id) > 64:
        raise ValueError(f"The reference {ref_type}:{ref_id} is too long.")
    users = _users(recipients)
    if dedupe_key and users:
        taken = set(
            Notification.objects.filter(recipient__in=users, dedupe_key=dedupe_key).values_list(
                "recipient_id", flat=True
            )
        )
        users = [user for user in users if user.pk not in taken]
    if not users:
        return 0
    now = timezone.now()
    rows = []
    for user in users:
        with translation.override(language_of(user)):
            rows.append(
                Notification(
                    recipient=user,
                    kind=kind,
                    subject=str(subject)[:MAX_SUBJECT],
                    body=str(body),
                    link=link,
                    ref_type=ref_type,
                    ref_id=ref_id,
                    created_at=now,
                    dedupe_key=dedupe_key,
                )
            )
    if dedupe_key:
        # Someone else may have written the same key since the read above: the insert skips those
        # rows, and the rows stamped with this call's time are the ones it wrote.
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        by_user = {user.pk: user for user in users}
        new = list(Notification.objects.filter(recipient__in=users, dedupe_key=dedupe_key, created_at=now))
        for row in new:
            row.recipient = by_user[row.recipient_id]
    else:
        new = Notification.objects.bulk_create(rows)
    if email:
        _email_each(new)
    return len(new)


def notify_after_commit(
    *,
    recipients: Iterable[Recipient],
    kind: str,
    subject: Text,
    body: Text = "",
    link: str = "",
    ref: Ref = None,
    dedupe_key: str = "",
    email: bool = False,
) -> None:
    """:func:`notify` once the current transaction commits (nothing if it rolls back). The
    recipients are read now; a failure after commit is logged, never raised into the request."""
    people = list(recipients)
    _check_sizes(kind=kind, link=link, dedupe_key=dedupe_key)
    link = _checked_link(link)
    transaction.on_commit(
        lambda: notify(
            recipients=people,
            kind=kind,
            subject=subject,
            body=body,
            link=link,
            ref=ref,
            dedupe_key=dedupe_key,
            email=email,
        ),
        robust=True,
    )


def unread_count(user: Any) -> int:
    """How many of ``user``'s notifications are unread (one COUNT on the inbox index)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def absolute(link: str) -> str:
    """A site-relative link made absolute with ``KC_SITE_URL`` for an e-mail (kept as is without it)."""
    return f"{settings.KC_SITE_URL}{link}" if link else ""


def _send(user: User, subject: str, message: str) -> bool:
    try:
        send_mail(" ".join(subject.split()), message, None, [user.email])
    except Exception:
        logger.exception("notification e-mail to user %s failed", user.pk)
        return False
    return True


def _email_each(notifications: Sequence[Notification]) -> None:
    sent = []
    for row in notifications:
        user = row.recipient
        if not user.email:
            continue
        with translation.override(language_of(user)):
            message = render_to_string(
                "notifications/email.txt", {"user": user, "notification": row, "url": absolute(row.link)}
            )
            subject = _("Khuyến công: %(subject)s") % {"subject": row.subject}
        if _send(user, subject, message):
            sent.append(row.pk)
    if sent:
        Notification.objects.filter(pk__in=sent).update(emailed_at=timezone.now())


# --- reminders ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Reminder:
    """Something someone must do, given by a provider for a day.

    ``key`` names the reminder itself (``"project:42:report_due"``); the daily job writes it once
    per recipient and day (dedupe key ``f"{key}:{on.isoformat()}"``). ``due_date`` is shown in
    the digest. ``subject`` and ``body`` are best lazy (``gettext_lazy``/``format_lazy``): they
    are rendered in each recipient's language.
    """

    recipients: Sequence[Recipient]
    kind: str
    subject: Text
    key: str
    body: Text = ""
    link: str = ""
    ref: Ref = None
    due_date: dt.date | None = None


ReminderProvider = Callable[[dt.date], Iterable[Reminder]]
_providers: dict[str, ReminderProvider] = {}


def reminder_provider(name: str) -> Callable[[ReminderProvider], ReminderProvider]:
    """Register ``func(on: date) -> Iterable[Reminder]`` under ``name`` for the daily job::

    @reminder_provider("projects.deadlines")
    def project_deadlines(on: dt.date) -> Iterable[Reminder]: ...
    """

    def register(func: ReminderProvider) -> ReminderProvider:
        existing = _providers.get(name)
        if existing is not None and _identity(existing) != _identity(func):
            raise ImproperlyConfigured(f"A reminder provider named {name!r} is already registered ({existing!r}).")
        _providers[name] = func
        return func

    return register


def _identity(func: Callable[..., Any]) -> tuple[str, str]:
    return getattr(func, "__module__", ""), getattr(func, "__qualname__", repr(func))


def reminder_providers() -> dict[str, ReminderProvider]:
    """The registered providers by name."""
    return dict(_providers)


def unregister_reminder_provider(name: str) -> None:
    """Forget a provider (tests)."""
    _providers.pop(name, None)


@dataclass
class DailyResult:
    on: dt.date
    reminders: int = 0
    notifications: int = 0  # new in-app notifications
    digests: int = 0  # digest e-mails sent
    failed_providers: list[str] = field(default_factory=list)
    failed_reminders: list[str] = field(default_factory=list)  # keys of malformed reminders


def collect_reminders(on: dt.date, result: DailyResult | None = None) -> list[Reminder]:
    """Every provider's reminders for ``on``; a provider that fails is logged and skipped."""
    reminders: list[Reminder] = []
    for name, provider in sorted(_providers.items()):
        try:
            reminders.extend(provider(on))
        except Exception:
            logger.exception("reminder provider %s failed for %s", name, on.isoformat())
            if result is not None:
                result.failed_providers.append(name)
    return reminders


def send_daily_reminders(on: dt.date) -> DailyResult:
    """Write the day's reminders as notifications and send each person one digest e-mail.

    Idempotent for a day: a reminder is written once per recipient (its dedupe key carries the
    date) and the digest once per person (a :class:`DigestRun` row, unique per person and day,
    written before the e-mail goes). Run again the next day, both come again.
    """
    result = DailyResult(on=on)
    reminders = collect_reminders(on, result)
    result.reminders = len(reminders)
    per_user: dict[int, list[tuple[Reminder, str]]] = {}
    for reminder in reminders:
        key = f"{reminder.key}:{on.isoformat()}"
        try:
            result.notifications += notify(
                recipients=reminder.recipients,
                kind=reminder.kind,
                subject=reminder.subject,
                body=reminder.body,
                link=reminder.link,
                ref=reminder.ref,
                dedupe_key=key,
            )
        except ValueError:
            logger.exception("reminder %s could not be written", reminder.key)
            result.failed_reminders.append(reminder.key)
            continue
        for recipient in reminder.recipients:
            per_user.setdefault(recipient.pk if isinstance(recipient, User) else int(recipient), []).append(
                (reminder, key)
            )
    for user in _users(per_user):
        if _send_digest(user, on, per_user[user.pk]):
            result.digests += 1
    return result


def _send_digest(user: User, on: dt.date, items: list[tuple[Reminder, str]]) -> bool:
    unique = list({key: (reminder, key) for reminder, key in items}.values())
    run, created = DigestRun.objects.get_or_create(user=user, on=on, defaults={"reminders": len(unique)})
    if not created:
        return False  # already sent (or tried) today
    if not user.email:
        DigestRun.objects.filter(pk=run.pk).update(error="no e-mail address")
        return False
    with translation.override(language_of(user)):
        lines = [
            {"subject": str(reminder.subject), "due_date": reminder.due_date, "url": absolute(reminder.link)}
            for reminder, _key in sorted(unique, key=lambda item: (item[0].due_date or dt.date.max, item[1]))
        ]
        day = on.strftime("%d/%m/%Y")
        subject = ngettext(
            "Khuyến công: %(count)d reminder for %(day)s", "Khuyến công: %(count)d reminders for %(day)s", len(lines)
        ) % {"count": len(lines), "day": day}
        message = render_to_string(
            "notifications/digest_email.txt",
            {"user": user, "on": on, "lines": lines, "centre": absolute(reverse("notifications:centre"))},
        )
    if not _send(user, subject, message):
        DigestRun.objects.filter(pk=run.pk).update(error="sending failed")
        return False
    now = timezone.now()
    DigestRun.objects.filter(pk=run.pk).update(sent_at=now)
    Notification.objects.filter(recipient=user, dedupe_key__in=[key for _r, key in unique]).update(emailed_at=now)
    return True
