"""Hints and green actions are readable: at least 4.5:1 against their background (WCAG AA)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    high, low = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.fixture(scope="module")
def house_css() -> str:
    return Path(finders.find("kc/app.css")).read_text(encoding="utf-8")


def _rule(css: str, selector: str) -> str:
    match = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", css)
    assert match, f"{selector} is not styled in kc/app.css"
    return match.group(1)


def test_the_ratio_is_computed_right():
    assert round(contrast("#ffffff", "#000000"), 1) == 21.0
    assert contrast("#ffffff", "#2fb344") < 3  # Tabler's green with white text: what the review measured


def test_placeholder_text_is_readable_on_white(house_css):
    colour = re.search(r"color:\s*(#[0-9a-fA-F]{6})", _rule(house_css, ".form-control::placeholder")).group(1)
    assert contrast(colour, "#ffffff") >= 4.5


def test_green_buttons_and_badges_are_readable(house_css):
    button = _rule(house_css, ".btn-success")
    background = re.search(r"--tblr-btn-bg:\s*(#[0-9a-fA-F]{6})", button).group(1)
    hover = re.search(r"--tblr-btn-hover-bg:\s*(#[0-9a-fA-F]{6})", button).group(1)
    assert contrast("#ffffff", background) >= 4.5 and contrast("#ffffff", hover) >= 4.5
    badge = re.search(r"color:\s*(#[0-9a-fA-F]{6})", _rule(house_css, ".badge.bg-green-lt")).group(1)
    assert contrast(badge, "#eaf7ec") >= 4.5  # text on Tabler's light-green badge
