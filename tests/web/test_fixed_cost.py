"""The cuts to a page's fixed cost keep what a page shows: the table cells written in Python are
the markup the template wrote, the choice labels are Django's, the menu is computed only when
shown, and the per-request scope answers are forgotten with the grants."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from khuyencong.web.generic import Column

# The cell markup of web/_object_table.html before the cells were written in Python.
TEMPLATE_CELLS = (
    "{% load i18n %}{% for obj, cells in rows %}<tr>{% for col, value in cells %}"
    '<td data-label="{{ col.label }}"{% if col.link %} class="kc-col-link"{% endif %}>'
    '{% if col.link %}<a class="kc-row-link" href="{% url detail_url_name obj.pk %}">'
    '{{ value|default_if_none:"" }}</a>'
    '{% elif col.filter == "vndatetime" %}{{ value|vndatetime }}{% elif col.filter == "vndate" %}{{ value|vndate }}'
    '{% elif col.filter == "vnd" %}{{ value|vnd }}{% elif value is True %}{% translate "Yes" %}'
    '{% elif value is False %}{% translate "No" %}{% else %}{{ value|default_if_none:"" }}{% endif %}</td>'
    "{% endfor %}</tr>{% endfor %}"
)
PYTHON_CELLS = "{% load tables %}{% for obj, cells in rows %}<tr>{% table_cells obj cells %}</tr>{% endfor %}"


class Obj:
    def __init__(self, pk):
        self.pk = pk


VALUES = [
    None,
    "",
    "Cơ sở <mây> & “tre” 'đan'",
    mark_safe("<b>đã an toàn</b>"),
    True,
    False,
    0,
    2_080_000_000,
    Decimal("1234.50"),
    3.25,
    dt.date(2025, 7, 1),
    dt.datetime(2025, 7, 1, 20, 30, tzinfo=dt.UTC),
    gettext_lazy("Yes"),
    gettext_lazy("Province"),
]


def _columns():
    return [
        Column("name", gettext_lazy("Name"), link=True),
        Column("a", "Plain <label>"),
        Column("b", gettext_lazy("Date"), filter="vndate"),
        Column("c", gettext_lazy("Time"), filter="vndatetime"),
        Column("d", gettext_lazy("Amount"), filter="vnd"),
        Column("e", gettext_lazy("Status"), filter="unknown"),
    ]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_cells_written_in_python_are_the_templates_markup(language):
    columns = _columns()
    rows = []
    for index, value in enumerate(VALUES):
        filtered = value
        if columns[4].filter == "vnd" and not isinstance(value, int | Decimal | float | type(None) | str):
            filtered = None  # format_vnd takes numbers; the template and the tag get the same value
        cells = [(columns[0], value), (columns[1], value), (columns[5], value)]
        if isinstance(value, dt.date | type(None) | str) and not isinstance(value, bool):
            cells += [(columns[2], value), (columns[3], value)]
        if isinstance(filtered, int | Decimal | float | type(None)) and not isinstance(filtered, bool):
            cells.append((columns[4], filtered))
        rows.append((Obj(index + 1), cells))
    request = RequestFactory().get("/establishments/")
    with translation.override(language), timezone.override("Asia/Ho_Chi_Minh"):
        context = {"rows": rows, "detail_url_name": "registry:establishment_detail", "request": request}
        expected = Template(TEMPLATE_CELLS).render(Context(context))
        written = Template(PYTHON_CELLS).render(Context(context))
    assert written == expected
    assert 'href="/establishments/14/"' in written and "&lt;mây&gt;" in written


def test_row_addresses_are_the_reversed_ones():
    from khuyencong.web.templatetags.tables import _detail_url

    context = Context({"detail_url_name": "registry:establishment_detail"})
    assert [_detail_url(context, Obj(pk)) for pk in (5, 12, 987)] == [
        "/establishments/5/",
        "/establishments/12/",
        "/establishments/987/",
    ]
    assert _detail_url(context, Obj("31")) == "/establishments/31/"  # not an int: reversed as is


@pytest.mark.django_db
def test_choice_labels_are_djangos_own(territory):
    from tests.registry.factories import make_establishment

    est = make_establishment(status="suspended", legal_form="cooperative")
    for language in ("vi", "en"):
        with translation.override(language):
            assert Column("get_status_display", "s").value(est) == est.get_status_display()
            assert Column("get_legal_form_display", "f").value(est) == est.get_legal_form_display()
    est.status = "no-such-status"
    assert Column("get_status_display", "s").value(est) == "no-such-status"


def test_a_hand_written_display_method_is_called():
    class Thing:
        def get_colour_display(self):
            return "made by hand"

    assert Column("get_colour_display", "c").value(Thing()) == "made by hand"


@pytest.mark.django_db
def test_the_menu_is_computed_only_when_a_page_shows_it(client_for, agency_officer, monkeypatch):
    from khuyencong.web import context_processors

    calls = []
    original = context_processors._menu
    monkeypatch.setattr(context_processors, "_menu", lambda *args: calls.append(1) or original(*args))
    client = client_for(agency_officer)
    client.get("/establishments/?q=may+tre", headers={"HX-Request": "true"})  # the table only
    assert calls == []
    response = client.get("/establishments/")
    assert calls == [1]
    assert any(item["url"] == "/establishments/" and item["active"] for item in response.context["nav_items"])


@pytest.mark.django_db
def test_scope_answers_are_kept_per_user_object_and_forgotten_with_the_grants(agency_officer):
    from khuyencong.kernel.scoping import can, clear_cache
    from khuyencong.organisation.models import RoleAssignment

    assert can(agency_officer, "view", "registry.establishment")
    RoleAssignment.objects.filter(user=agency_officer).delete()
    assert can(agency_officer, "view", "registry.establishment")  # this request's answer
    clear_cache(agency_officer)
    assert not can(agency_officer, "view", "registry.establishment")
