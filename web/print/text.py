"""Text on the printed page: halos that stay text in the PDF, widths, line breaks, numbers."""

from __future__ import annotations

import re
from typing import Any

from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.text import Text

HALO_WIDTH = 2.2


def halo_text(ax: Axes, x: float, y: float, text: str, **style: Any) -> list[Text]:
    """Text with a white halo that stays text in the PDF (searchable, copyable).

    matplotlib draws text with path effects as outlines, so the halo is a second,
    outlined copy under the real text. Returns both artists, the halo first.
    """
    artists: list[Text] = []
    offset = style.pop("offset", None)
    zorder = float(style.pop("zorder", 10))
    width = float(style.pop("halo", HALO_WIDTH))
    for layer, effects in (
        (0.0, [patheffects.Stroke(linewidth=width, foreground="white")]),
        (0.01, None),
    ):
        if offset is None:
            artists.append(
                ax.text(x, y, text, path_effects=effects, zorder=zorder + layer, **style)
            )
        else:
            artists.append(
                ax.annotate(
                    text,
                    (x, y),
                    xytext=offset,
                    textcoords="offset points",
                    path_effects=effects,
                    zorder=zorder + layer,
                    **style,
                )
            )
    return artists


_CLOSING = frozenset("）)。，、；：！？」』”’】〉》")
_TOKEN_RE = re.compile(r"[^\s\u2e80-\uffff]+|\s+|.", re.DOTALL)


def text_width(text: str, size_pt: float) -> float:
    """Approximate printed width of ``text`` in points (CJK one em, Latin about 0.62 em)."""
    em = sum(1.0 if ord(c) > 0x2E80 else 0.62 for c in text)
    return em * size_pt


def wrap(text: str, width_pt: float, size_pt: float) -> list[str]:
    """``text`` broken into lines no wider than ``width_pt``.

    Lines break between CJK characters or at spaces, never inside a Latin word or a
    number, and never before closing punctuation (which may overhang a little). A word
    longer than a whole line is cut.
    """
    lines: list[str] = []
    line = ""
    for token in _TOKEN_RE.findall(text):
        fits = text_width(line + token.rstrip(), size_pt) <= width_pt
        if line and not fits and token not in _CLOSING:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
        while token not in _CLOSING and text_width(line, size_pt) > width_pt and len(line) > 1:
            cut = max(int(len(line) * width_pt / text_width(line, size_pt)), 1)
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip():
        lines.append(line.rstrip())
    return lines


def thousands(value: float) -> str:
    """An integer with thousands separators."""
    return f"{round(value):,}"
