"""notify(): one row per recipient and key, new ones e-mailed once in the recipient's language."""

import pytest
from django.core import mail
from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from khuyencong.notifications.models import Notification
from khuyencong.notifications.services import notify, notify_after_commit, ref_of, unread_count

pytestmark = pytest.mark.django_db


def test_a_notification_per_recipient_with_its_reference(hatinh_officer, nghean_officer):
    new = notify(
        recipients=[hatinh_officer, nghean_officer.pk],
        kind="project_submitted",
        subject="Đề án đã được gửi",
        body="Đề án máy chẻ nan tre chờ thẩm định.",
        link="/plans/1/",
        ref=("Planning.AnnualPlan", 1),
    )
    assert new == 2
    row = Notification.objects.get(recipient=hatinh_officer)
    assert (row.kind, row.subject, row.link, row.ref_type, row.ref_id) == (
        "project_submitted", "Đề án đã được gửi", "/plans/1/", "planning.annualplan", "1")  # fmt: skip
    assert row.read_at is None and row.emailed_at is None and unread_count(hatinh_officer) == 1


def test_the_same_key_twice_writes_one_row_per_recipient(hatinh_officer, nghean_officer):
    """SQLite and PostgreSQL alike (the suite runs on both): the insert ignores the duplicate."""
    args = {"kind": "deadline_due", "subject": "Sắp đến hạn", "dedupe_key": "project:1:report:2026-12-01"}
    assert notify(recipients=[hatinh_officer], **args) == 1
    assert notify(recipients=[hatinh_officer, nghean_officer], **args) == 1  # only Nghệ An is new
    assert notify(recipients=[hatinh_officer, nghean_officer], **args) == 0
    assert Notification.objects.filter(dedupe_key=args["dedupe_key"]).count() == 2
    # Without a key nothing is deduplicated.
    assert notify(recipients=[hatinh_officer], kind="x", subject="a") == 1
    assert notify(recipients=[hatinh_officer], kind="x", subject="a") == 1


def test_inactive_and_unknown_recipients_get_nothing(hatinh_officer, outsider):
    outsider.is_active = False
    outsider.save()
    assert notify(recipients=[outsider, hatinh_officer, 10**9], kind="x", subject="s") == 1
    assert notify(recipients=[], kind="x", subject="s") == 0


def test_a_link_off_the_site_is_refused(hatinh_officer):
    for link in ("https://evil.example/", "//evil.example/", "plans/1/", "/\\evil.example"):
        with pytest.raises(ValueError):
            notify(recipients=[hatinh_officer], kind="x", subject="s", link=link)


def test_values_too_long_for_their_columns_are_refused(hatinh_officer):
    for extra in ({"kind": "k" * 61}, {"kind": ""}, {"dedupe_key": "d" * 201}, {"link": "/" + "a" * 500},
                  {"ref": ("projects.project", "9" * 65)}):  # fmt: skip
        with pytest.raises(ValueError):
            notify(recipients=[hatinh_officer], **{"kind": "x", "subject": "s", **extra})
    assert not Notification.objects.exists()
    long_subject = "Đề án " * 100
    notify(recipients=[hatinh_officer], kind="x", subject=long_subject)
    assert len(Notification.objects.get().subject) == 255  # a subject is cut, not refused


def test_new_notifications_are_emailed_once_in_each_recipients_language(hatinh_officer, nghean_officer, settings):
    settings.KC_SITE_URL = "https://khuyencong.example.vn"
    hatinh_officer.email, hatinh_officer.language = "hatinh@example.vn", ""  # Vietnamese by default
    hatinh_officer.save()
    nghean_officer.email, nghean_officer.language = "nghean@example.vn", "en"
    nghean_officer.save()
    subject = format_lazy("{}: {}", gettext_lazy("Annual plans"), "2026")
    args = {"kind": "plan_approved", "subject": subject, "link": "/plans/7/", "dedupe_key": "plan:7:approved"}
    assert notify(recipients=[hatinh_officer, nghean_officer], email=True, **args) == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"hatinh@example.vn", "nghean@example.vn"}
    assert "Kế hoạch năm: 2026" in by_address["hatinh@example.vn"].subject
    assert "Xin chào hatinh" in by_address["hatinh@example.vn"].body
    assert "Annual plans: 2026" in by_address["nghean@example.vn"].subject
    assert "Hello nghean" in by_address["nghean@example.vn"].body
    assert "https://khuyencong.example.vn/plans/7/" in by_address["nghean@example.vn"].body
    # The in-app text is stored in the recipient's language too.
    assert Notification.objects.get(recipient=hatinh_officer).subject == "Kế hoạch năm: 2026"
    assert Notification.objects.get(recipient=nghean_officer).subject == "Annual plans: 2026"
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 2
    # Sent again: nothing new, nothing e-mailed.
    assert notify(recipients=[hatinh_officer, nghean_officer], email=True, **args) == 0
    assert len(mail.outbox) == 2


def test_no_address_no_mail_and_a_failing_mail_server_does_not_break_the_caller(hatinh_officer, monkeypatch):
    assert notify(recipients=[hatinh_officer], kind="x", subject="s", email=True) == 1
    assert mail.outbox == []
    hatinh_officer.email = "hatinh@example.vn"
    hatinh_officer.save()

    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("khuyencong.notifications.services.send_mail", broken)
    assert notify(recipients=[hatinh_officer], kind="x", subject="t", email=True) == 1
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()


def test_after_commit_only_when_the_transaction_commits(hatinh_officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify_after_commit(recipients=[hatinh_officer], kind="project_submitted", subject="Gửi")
        assert not Notification.objects.exists()  # not before the commit
    assert Notification.objects.filter(recipient=hatinh_officer).count() == 1

    with pytest.raises(RuntimeError), transaction.atomic():
        notify_after_commit(recipients=[hatinh_officer], kind="project_submitted", subject="Rolled back")
        raise RuntimeError
    assert not Notification.objects.filter(subject="Rolled back").exists()


def test_ref_of_a_model_instance(hatinh_officer):
    assert ref_of(hatinh_officer) == ("accounts.user", str(hatinh_officer.pk))
    assert ref_of(None) == ("", "")
