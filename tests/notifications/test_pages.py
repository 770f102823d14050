"""The notification centre, the bell's badge and drop-down: one's own notifications only."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from khuyencong.notifications import actions
from khuyencong.notifications.models import Notification
from khuyencong.notifications.services import notify

pytestmark = pytest.mark.django_db


def _note(user, subject, *, link="", hours=0, read=False):
    notify(recipients=[user], kind="test", subject=subject, link=link)
    row = Notification.objects.filter(recipient=user, subject=subject).get()
    Notification.objects.filter(pk=row.pk).update(created_at=timezone.now() - dt.timedelta(hours=hours))
    if read:
        actions.mark_read(user=user, notification=row)
    return row


def test_the_centre_lists_own_notifications_unread_first_then_newest(client_for, hatinh_officer, nghean_officer):
    _note(hatinh_officer, "Cũ đã đọc", hours=1, read=True)
    _note(hatinh_officer, "Cũ chưa đọc", hours=5)
    _note(hatinh_officer, "Mới chưa đọc", hours=2)
    _note(nghean_officer, "Của Nghệ An")
    body = client_for(hatinh_officer).get("/notifications/").content.decode()
    assert "Của Nghệ An" not in body
    assert body.index("Mới chưa đọc") < body.index("Cũ chưa đọc") < body.index("Cũ đã đọc")
    assert "Thông báo" in body and "Đánh dấu tất cả là đã đọc" in body
    unread = client_for(hatinh_officer).get("/notifications/", {"show": "unread"}).content.decode()
    assert "Mới chưa đọc" in unread and "Cũ đã đọc" not in unread


def test_an_empty_centre_says_so(client_for, hatinh_officer):
    body = client_for(hatinh_officer).get("/notifications/").content.decode()
    assert "Chưa có thông báo nào" in body and 'id="read-all"' not in body
    unread = client_for(hatinh_officer).get("/notifications/", {"show": "unread"}).content.decode()
    assert "Không có thông báo chưa đọc" in unread


def test_the_centre_pages_twenty_at_a_time(client_for, hatinh_officer):
    for i in range(25):
        _note(hatinh_officer, f"Thông báo số {i:02d}", hours=i)
    client = client_for(hatinh_officer)
    first = client.get("/notifications/").content.decode()
    assert "Thông báo số 00" in first and "Thông báo số 24" not in first and "1–20" in first
    second = client.get("/notifications/", {"page": 2}).content.decode()
    assert "Thông báo số 24" in second and "Thông báo số 00" not in second


def test_opening_marks_read_and_follows_the_link(client_for, hatinh_officer):
    row = _note(hatinh_officer, "Đi tới kế hoạch", link="/plans/")
    response = client_for(hatinh_officer).post(f"/notifications/{row.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/plans/"
    row.refresh_from_db()
    assert row.read_at is not None
    without_link = _note(hatinh_officer, "Không có liên kết")
    response = client_for(hatinh_officer).post(f"/notifications/{without_link.pk}/open/")
    assert response["Location"] == "/notifications/"


def test_someone_elses_notification_is_a_404_and_stays_unread(client_for, hatinh_officer, nghean_officer):
    theirs = _note(nghean_officer, "Của Nghệ An", link="/plans/")
    response = client_for(hatinh_officer).post(f"/notifications/{theirs.pk}/open/")
    assert response.status_code == 404
    assert client_for(hatinh_officer).get(f"/notifications/{theirs.pk}/open/").status_code == 405
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_marks_only_ones_own(client_for, hatinh_officer, nghean_officer):
    _note(hatinh_officer, "Một")
    _note(hatinh_officer, "Hai")
    theirs = _note(nghean_officer, "Của Nghệ An")
    response = client_for(hatinh_officer).post("/notifications/read-all/", {"next": "/notifications/?show=unread"})
    assert response.status_code == 302 and response["Location"] == "/notifications/?show=unread"
    assert not Notification.objects.filter(recipient=hatinh_officer, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    off_site = client_for(hatinh_officer).post("/notifications/read-all/", {"next": "https://evil.example/"})
    assert off_site["Location"] == "/notifications/"
    assert client_for(hatinh_officer).get("/notifications/read-all/").status_code == 405


def test_signed_out_people_are_sent_to_the_login(client, hatinh_officer):
    row = _note(hatinh_officer, "Riêng tư")
    for response in (
        client.get("/notifications/"),
        client.get("/notifications/latest/"),
        client.post(f"/notifications/{row.pk}/open/"),
        client.post("/notifications/read-all/"),
    ):
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    row.refresh_from_db()
    assert row.read_at is None


def test_the_bell_shows_the_unread_count_with_one_query(client_for, hatinh_officer, nghean_officer):
    client = client_for(hatinh_officer)
    assert 'id="unread-badge"' not in client.get("/").content.decode()
    _note(hatinh_officer, "Một")
    _note(hatinh_officer, "Hai")
    _note(hatinh_officer, "Ba", read=True)
    _note(nghean_officer, "Của Nghệ An")
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/").content.decode()
    assert '<span class="badge bg-red text-red-fg badge-notification badge-pill" id="unread-badge">2</span>' in body
    assert "Thông báo (2 chưa đọc)" in body
    counts = [q["sql"] for q in queries.captured_queries if "notifications_notification" in q["sql"]]
    assert len(counts) == 1 and "COUNT" in counts[0].upper()


def test_the_drop_down_shows_the_latest(client_for, hatinh_officer, nghean_officer):
    _note(hatinh_officer, "Mới nhất")
    _note(nghean_officer, "Của Nghệ An")
    body = client_for(hatinh_officer).get("/notifications/latest/", headers={"HX-Request": "true"}).content.decode()
    assert "Mới nhất" in body and "Của Nghệ An" not in body and "Xem tất cả thông báo" in body
    assert "<html" not in body
