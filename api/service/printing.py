"""The printed situation map of an answer, as the service prints it (font and font cache)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from api.service.bootstrap import Services


def load_printer(services: Services) -> None:
    """Import the printer (matplotlib) and find the font ahead of the first map."""
    from web.print.fonts import find_cjk_font  # noqa: PLC0415 start-up: as printed_pdf
    from web.print.render import render_pdf  # noqa: F401, PLC0415 start-up: as printed_pdf

    find_cjk_font(services.settings.font)


def printed_pdf(
    services: Services, body: Mapping[str, Any], *, paper: Literal["A3", "A4"], scale: str
) -> bytes:
    """The printed situation map of an answer, with the service's font and font cache."""
    # start-up: matplotlib is imported by the process that prints, not by the server
    from web.print.render import render_pdf  # noqa: PLC0415 start-up: see above

    settings = services.settings
    return render_pdf(
        body,
        services.pack,
        paper=paper,
        scale=scale,
        font=settings.font,
        cache_dir=settings.cache_dir,
    )
