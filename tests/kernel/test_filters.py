import datetime as dt

from django.template import Context, Template


def render(source, **context):
    return Template(source).render(Context(context))


def test_dates_render_as_dd_mm_yyyy():
    assert render("{{ d|vndate }}", d=dt.date(2020, 5, 15)) == "15/05/2020"
    moment = dt.datetime(2025, 6, 30, 20, 0, tzinfo=dt.UTC)  # 03:00 on 1/7 in Hà Nội
    assert render("{{ d|vndate }}", d=moment) == "01/07/2025"
    assert render("{{ d|vndate }}", d=None) == ""


def test_amounts_render_with_dots_and_dong():
    assert render("{{ a|vnd }}", a=2_080_000_000) == "2.080.000.000 đ"
    assert render("{{ a|vnd_short }}", a=2_080_000_000) == "2,08 tỷ đồng"
