"""``{% overdue_liquidations as found %}``: the projects in the user's reach whose contract should
have been liquidated by now (the settlement list shows them above its table)."""

from __future__ import annotations

from django import template

from khuyencong.finance.settlement import overdue_liquidations as _overdue

register = template.Library()


@register.simple_tag(takes_context=True)
def overdue_liquidations(context, limit: int = 20) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"rows": [], "count": 0}
    rows, count = _overdue(user, limit=limit)
    return {"rows": rows, "count": count}
