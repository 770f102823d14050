"""The demo accounts have a few notifications, some unread; loading again adds nothing."""

import pytest

from khuyencong.demo.notifications import load_notifications
from khuyencong.demo.planning import load_planning
from khuyencong.notifications.models import Notification
from khuyencong.organisation.demo import load_demo

pytestmark = pytest.mark.django_db


def test_demo_accounts_have_notifications_some_unread(territory):
    load_demo()
    load_planning()
    first = load_notifications()
    assert first["added"] == first["notifications"] >= 15
    officer = Notification.objects.filter(recipient__username="hatinh.chuyenvien")
    assert officer.filter(read_at__isnull=True).count() >= 2 and officer.filter(read_at__isnull=False).exists()
    # The draft waiting for approval goes to whoever holds "approve" on it.
    waiting = Notification.objects.filter(dedupe_key="demo:draft-waiting")
    assert waiting.exists() and all(n.link.startswith("/plans/") for n in waiting)
    assert load_notifications()["added"] == 0
