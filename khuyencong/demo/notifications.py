"""Demo notifications: a few for the demo accounts (some unread), so the bell and the notification
centre have something to show. Written through ``notifications.services.notify`` with ``demo:``
dedupe keys, so loading the demo again adds nothing. Deadline reminders proper come from the
projects app's reminder provider once it exists.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from khuyencong.accounts.models import User
from khuyencong.notifications import actions
from khuyencong.notifications.models import Notification
from khuyencong.notifications.services import DEADLINE_DUE, DEADLINE_OVERDUE, notify
from khuyencong.organisation.services import users_holding
from khuyencong.planning.models import AnnualPlan, PlanVersion


def _plan_link(**lookup) -> str:
    plan = AnnualPlan.objects.filter(**lookup).order_by("pk").first()
    return reverse("planning:annualplan_detail", args=[plan.pk]) if plan else reverse("planning:annualplan_list")


def _messages() -> list[dict]:
    """(recipients, kind, subject, body, link, hours ago, read) of each demo notification."""
    ha_tinh_2020 = _plan_link(level="local", province__code="42", year=2020)
    messages = [
        {
            "key": "demo:report-due",
            "to": ["hatinh.chuyenvien", "hatinh.lanhdao"],
            "kind": DEADLINE_DUE,
            "subject": "Còn 5 ngày: báo cáo tình hình thực hiện kế hoạch khuyến công địa phương năm 2020",
            "body": "Hạn gửi báo cáo về Sở Công Thương Hà Tĩnh là 15/12/2026.",
            "link": ha_tinh_2020,
            "hours": 2,
        },
        {
            "key": "demo:acceptance-overdue",
            "to": ["hatinh.thuchien", "hatinh.chuyenvien"],
            "kind": DEADLINE_OVERDUE,
            "subject": "Quá hạn 3 ngày: hồ sơ nghiệm thu đề án mô hình trình diễn máy chẻ nan tre",
            "body": "Hồ sơ nghiệm thu phải nộp trước 27/11/2026. Hãy nộp bổ sung hoặc đề nghị gia hạn.",
            "link": reverse("planning:annualplan_list"),
            "hours": 26,
        },
        {
            "key": "demo:duplicates",
            "to": ["hatinh.chuyenvien", "nghean.chuyenvien", "cuc.chuyenvien"],
            "kind": "duplicates_found",
            "subject": "Có cơ sở nghi trùng cần xem xét trong danh sách cơ sở",
            "body": "Hệ thống phát hiện các cặp cơ sở có tên và địa chỉ gần giống nhau sau lần nhập gần nhất.",
            "link": reverse("registry:duplicate_queue"),
            "hours": 50,
            "read": True,
        },
        {
            "key": "demo:plan-2022-approved",
            "to": ["cuc.chuyenvien", "cuc.lanhdao", "hatinh.chuyenvien"],
            "kind": "plan_version_approved",
            "subject": "Kế hoạch khuyến công quốc gia năm 2022 (bổ sung) đã được phê duyệt",
            "body": "Kinh phí bổ sung 140.000.000.000 đ cho 122 đề án tại 47 tỉnh, thành phố.",
            "link": _plan_link(level="national", year=2022),
            "hours": 24 * 6,
            "read": True,
        },
        {
            "key": "demo:welcome",
            "to": ["admin", "cuc.chuyenvien", "cuc.lanhdao", "hatinh.chuyenvien", "hatinh.lanhdao", "xem"],
            "kind": "welcome",
            "subject": "Chào mừng đến với hệ thống quản lý khuyến công",
            "body": "Thông báo về hạn nộp, phê duyệt và các việc cần làm sẽ hiện ở đây và trong thư tóm tắt hằng ngày.",
            "link": reverse("home"),
            "hours": 24 * 10,
            "read": True,
        },
    ]
    # Who must approve a draft version waiting for approval: the leaders holding "approve" on it.
    draft = PlanVersion.objects.filter(status=PlanVersion.Status.DRAFT).select_related("plan").order_by("pk").first()
    if draft is not None:
        approvers = [user.username for user in users_holding("approve", PlanVersion, draft)]
        messages.append(
            {
                "key": "demo:draft-waiting",
                "to": approvers,
                "kind": "plan_version_submitted",
                "subject": f"Chờ phê duyệt: {draft.plan.name}",
                "body": "Bản kế hoạch đang chờ quyết định phê duyệt.",
                "link": reverse("planning:annualplan_detail", args=[draft.plan_id]),
                "hours": 5,
            }
        )
    return messages


def load_notifications() -> dict:
    messages = _messages()
    names = {name for message in messages for name in message["to"]}
    users = {user.username: user for user in User.objects.filter(username__in=names)}
    now = timezone.now()
    added = 0
    for message in messages:
        recipients = [users[name] for name in message["to"] if name in users]
        new = notify(
            recipients=recipients,
            kind=message["kind"],
            subject=message["subject"],
            body=message["body"],
            link=message["link"],
            dedupe_key=message["key"],
        )
        if not new:
            continue
        added += new
        rows = Notification.objects.filter(dedupe_key=message["key"], recipient__in=recipients)
        rows.update(created_at=now - dt.timedelta(hours=message["hours"]))  # spread over the last days
        if message.get("read"):
            for row in rows:
                actions.mark_read(user=row.recipient, notification=row)
    return {"notifications": Notification.objects.filter(dedupe_key__startswith="demo:").count(), "added": added}
