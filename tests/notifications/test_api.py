"""/api/v1/notifications: one's own, newest first, by cursor; marking read; 404 for others'."""

import pytest

from khuyencong.accounts.tokens import issue_token
from khuyencong.notifications.models import Notification
from khuyencong.notifications.services import notify

pytestmark = pytest.mark.django_db


def _notes(user, count, prefix="Thông báo"):
    for i in range(count):
        notify(recipients=[user], kind="test", subject=f"{prefix} {i}")
    return list(Notification.objects.filter(recipient=user).order_by("pk"))


def test_lists_own_newest_first_paged_by_cursor(client_for, hatinh_officer, nghean_officer):
    mine = _notes(hatinh_officer, 5)
    _notes(nghean_officer, 2, "Của Nghệ An")
    client = client_for(hatinh_officer)
    first = client.get("/api/v1/notifications", {"limit": 3}).json()
    assert [item["id"] for item in first["items"]] == [n.pk for n in reversed(mine)][:3]
    second = client.get("/api/v1/notifications", {"limit": 3, "cursor": first["next_cursor"]}).json()
    assert [item["id"] for item in second["items"]] == [mine[1].pk, mine[0].pk]
    assert second["next_cursor"] is None
    assert set(first["items"][0]) >= {"kind", "subject", "body", "link", "ref_type", "ref_id", "read_at"}


def test_unread_filter_and_unknown_parameters(client_for, hatinh_officer):
    mine = _notes(hatinh_officer, 3)
    client = client_for(hatinh_officer)
    assert client.post(f"/api/v1/notifications/{mine[0].pk}/read").status_code == 200
    unread = client.get("/api/v1/notifications", {"unread": "true"}).json()["items"]
    assert {item["id"] for item in unread} == {mine[1].pk, mine[2].pk}
    read = client.get("/api/v1/notifications", {"unread": "false"}).json()["items"]
    assert [item["id"] for item in read] == [mine[0].pk]
    response = client.get("/api/v1/notifications", {"sort": "id"})
    assert response.status_code == 422 and response.json()["code"] == "validation_error"


def test_read_one_and_all_only_ones_own(client_for, hatinh_officer, nghean_officer):
    mine = _notes(hatinh_officer, 2)
    theirs = _notes(nghean_officer, 1, "Của Nghệ An")[0]
    client = client_for(hatinh_officer)
    response = client.post(f"/api/v1/notifications/{theirs.pk}/read")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    marked = client.post(f"/api/v1/notifications/{mine[0].pk}/read").json()
    assert marked["id"] == mine[0].pk and marked["read_at"] is not None
    assert client.post("/api/v1/notifications/read-all").json() == {"marked": 1}
    assert client.post("/api/v1/notifications/read-all").json() == {"marked": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_token_reads_its_owners_notifications(client, hatinh_officer):
    _notes(hatinh_officer, 1)
    _token, secret = issue_token(user=hatinh_officer, name="thử")
    response = client.get("/api/v1/notifications", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200 and len(response.json()["items"]) == 1


def test_signed_out_is_a_401(client, hatinh_officer):
    mine = _notes(hatinh_officer, 1)
    assert client.get("/api/v1/notifications").status_code == 401
    assert client.post(f"/api/v1/notifications/{mine[0].pk}/read").status_code == 401
    assert client.post("/api/v1/notifications/read-all").status_code == 401
