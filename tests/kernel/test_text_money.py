import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from khuyencong.kernel.money import format_percent, format_vnd, format_vnd_short
from khuyencong.kernel.text import fold, normalize


def test_fold_removes_vietnamese_marks_and_d_bar():
    assert fold("Mây tre đan") == "may tre dan"
    assert fold("HÀ TĨNH") == "ha tinh"
    assert fold("Đắk Lắk") == "dak lak"
    assert fold("  Nghệ   An ") == "nghe an"


def test_fold_treats_nfd_like_nfc():
    text = "Thừa Thiên Huế"
    assert fold(unicodedata.normalize("NFD", text)) == fold(text) == "thua thien hue"
    assert normalize(unicodedata.normalize("NFD", text)) == text


@given(st.text())
def test_fold_is_idempotent_and_ascii_for_vietnamese(text):
    once = fold(text)
    assert fold(once) == once


def test_amounts_in_vietnamese_format():
    assert format_vnd(2_080_000_000) == "2.080.000.000 đ"
    assert format_vnd(0) == "0 đ"
    assert format_vnd(-1500) == "-1.500 đ"
    assert format_vnd_short(2_080_000_000) == "2,08 tỷ đồng"
    assert format_vnd_short(140_000_000_000) == "140 tỷ đồng"
    assert format_vnd_short(350_000_000) == "350 triệu đồng"
    assert format_vnd_short(1_400_000_000) == "1,4 tỷ đồng"


def test_rates():
    assert format_percent(1_400_000_000, 24_390_243_902) == "5,74%"
    assert format_percent(29, 140) == "20,71%"
    assert format_percent(1, 0) == "—"
