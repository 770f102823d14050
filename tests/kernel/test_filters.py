import datetime as dt

import pytest
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


@pytest.mark.django_db
def test_cached_rows_of_a_choice_list_that_can_match_nothing():
    from khuyencong.kernel.filters import cached_rows
    from khuyencong.territory.models import Province

    key, rows = cached_rows(Province.objects.filter(pk__in=[]))
    assert rows == [] and key
