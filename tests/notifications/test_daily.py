"""The daily reminders: providers, in-app notifications once a day, one digest e-mail per person
and day (twice the same day sends nothing; the next day sends again)."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils.translation import gettext_lazy

from khuyencong.notifications import services
from khuyencong.notifications.models import DigestRun, Notification
from khuyencong.notifications.services import (
    DEADLINE_DUE,
    DEADLINE_OVERDUE,
    Reminder,
    reminder_provider,
    reminder_providers,
    send_daily_reminders,
    unregister_reminder_provider,
)

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 12, 1)


@pytest.fixture
def people_with_mail(hatinh_officer, nghean_officer):
    hatinh_officer.email = "hatinh@example.vn"
    hatinh_officer.save()
    nghean_officer.email, nghean_officer.language = "nghean@example.vn", "en"
    nghean_officer.save()
    return hatinh_officer, nghean_officer


@pytest.fixture
def provider(people_with_mail):
    hatinh, nghean = people_with_mail
    calls = []

    @reminder_provider("tests.deadlines")
    def deadlines(on):
        calls.append(on)
        yield Reminder(
            recipients=[hatinh, nghean.pk], kind=DEADLINE_DUE, subject=gettext_lazy("Annual plans"),
            body="Báo cáo quý IV", link="/plans/1/", ref=("planning.annualplan", 1),
            due_date=on + dt.timedelta(days=5), key="plan:1:report",
        )  # fmt: skip
        yield Reminder(recipients=[hatinh], kind=DEADLINE_OVERDUE, subject="Quá hạn nghiệm thu",
                       key="project:9:acceptance", due_date=on - dt.timedelta(days=2))  # fmt: skip

    yield calls
    unregister_reminder_provider("tests.deadlines")


def test_the_registry_holds_providers_by_name(provider):
    assert "tests.deadlines" in reminder_providers()

    def other(on):
        return []

    with pytest.raises(ImproperlyConfigured):
        reminder_provider("tests.deadlines")(other)


def test_a_day_writes_notifications_and_one_digest_per_person(provider, people_with_mail):
    hatinh, nghean = people_with_mail
    result = send_daily_reminders(DAY)
    assert provider == [DAY]
    assert (result.reminders, result.notifications, result.digests) == (2, 3, 2)
    assert Notification.objects.filter(recipient=hatinh).count() == 2
    row = Notification.objects.get(recipient=hatinh, kind=DEADLINE_DUE)
    assert row.dedupe_key == "plan:1:report:2026-12-01" and row.subject == "Kế hoạch năm"
    assert row.emailed_at is not None  # told in the digest
    assert Notification.objects.get(recipient=nghean).subject == "Annual plans"
    assert len(mail.outbox) == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    vietnamese = by_address["hatinh@example.vn"]
    assert "2 việc cần làm ngày 01/12/2026" in vietnamese.subject
    assert "Quá hạn nghiệm thu" in vietnamese.body and "06/12/2026" in vietnamese.body
    # Overdue first (the earliest due date), then the coming one.
    assert vietnamese.body.index("Quá hạn nghiệm thu") < vietnamese.body.index("Kế hoạch năm")
    english = by_address["nghean@example.vn"]
    assert "1 reminder for 01/12/2026" in english.subject and "Annual plans" in english.body
    assert DigestRun.objects.filter(on=DAY, sent_at__isnull=False).count() == 2


def test_twice_the_same_day_sends_nothing_more_and_the_next_day_sends_again(provider, people_with_mail):
    send_daily_reminders(DAY)
    again = send_daily_reminders(DAY)
    assert (again.reminders, again.notifications, again.digests) == (2, 0, 0)
    assert Notification.objects.count() == 3 and len(mail.outbox) == 2
    assert DigestRun.objects.count() == 2

    following = send_daily_reminders(DAY + dt.timedelta(days=1))
    assert (following.notifications, following.digests) == (3, 2)
    assert Notification.objects.count() == 6 and len(mail.outbox) == 4


def test_a_failing_provider_does_not_stop_the_others(provider, people_with_mail):
    @reminder_provider("tests.broken")
    def broken(on):
        raise RuntimeError("provider bug")

    try:
        result = send_daily_reminders(DAY)
    finally:
        unregister_reminder_provider("tests.broken")
    assert result.failed_providers == ["tests.broken"] and result.notifications == 3


def test_a_malformed_reminder_is_skipped_and_named(provider, people_with_mail):
    hatinh, _nghean = people_with_mail

    @reminder_provider("tests.malformed")
    def malformed(on):
        yield Reminder(
            recipients=[hatinh], kind=DEADLINE_DUE, subject="Ra ngoài", key="bad:1", link="https://x.example/"
        )

    try:
        result = send_daily_reminders(DAY)
    finally:
        unregister_reminder_provider("tests.malformed")
    assert result.failed_reminders == ["bad:1"] and result.notifications == 3 and result.digests == 2
    assert "Ra ngoài" not in mail.outbox[0].body + mail.outbox[1].body


def test_someone_without_an_address_gets_the_notifications_but_no_mail(provider, people_with_mail):
    hatinh, _nghean = people_with_mail
    hatinh.email = ""
    hatinh.save()
    result = send_daily_reminders(DAY)
    assert result.digests == 1 and [m.to for m in mail.outbox] == [["nghean@example.vn"]]
    assert DigestRun.objects.get(user=hatinh).error == "no e-mail address"
    assert Notification.objects.filter(recipient=hatinh).count() == 2


def test_the_command_takes_a_vietnamese_date(provider, capsys):
    call_command("kc_send_reminders", "--date", "01/12/2026")
    assert provider == [DAY]
    assert "01/12/2026: 2 reminders, 3 new notifications, 2 digest e-mails sent" in capsys.readouterr().out
    call_command("kc_send_reminders", "--date", "01/12/2026")
    assert len(mail.outbox) == 2
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("kc_send_reminders", "--date", "2026-12-01")


def test_the_console_command_is_exposed():
    from khuyencong.cli import COMMANDS

    assert COMMANDS["send-reminders"][0] == "kc_send_reminders"


def test_the_daily_task_is_registered_for_seven_in_the_morning_vietnam_time():
    from huey.contrib.djhuey import HUEY

    from khuyencong.notifications import tasks

    assert tasks.send_daily_reminders.task_class in HUEY._registry._periodic_tasks
    due = tasks.daily_at(7, 0)
    if HUEY.utc:
        assert due(dt.datetime(2026, 12, 1, 0, 0)) and not due(dt.datetime(2026, 12, 1, 7, 0))
    assert not due(dt.datetime(2026, 12, 1, 0, 1))


def test_the_task_runs_for_today_in_vietnam(monkeypatch):
    seen = []
    monkeypatch.setattr(services, "send_daily_reminders", seen.append)
    from khuyencong.notifications import tasks

    tasks.send_daily_reminders.call_local()
    assert len(seen) == 1 and isinstance(seen[0], dt.date)


def test_each_apps_reminders_module_is_imported_at_start_up(monkeypatch):
    """An app declares its providers in ``<app>/reminders.py``; nothing else needs to import it."""
    from django.apps import apps

    seen = []
    monkeypatch.setattr("django.utils.module_loading.autodiscover_modules", seen.append)
    apps.get_app_config("notifications").ready()
    assert seen == ["reminders"]
