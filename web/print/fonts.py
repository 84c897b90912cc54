"""The CJK font the printed situation map embeds, found at run time.

matplotlib embeds a TrueType (``glyf``) font into PDF as a Type 42 / CID TrueType
subset, which every PDF reader and printer accepts. CFF-flavoured OpenType fonts (the
Noto CJK ``.ttc`` files) come out with a font-type mismatch that strict readers warn
about, so only TrueType-outlined fonts are taken. Latin letters and digits come from
matplotlib's own DejaVu Sans, the CJK font fills in the rest (matplotlib font fallback).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError
from matplotlib import font_manager

from geo.errors import FontNotFound

#: The Debian package that provides the preferred font; named in the error message.
FONT_PACKAGE = "fonts-droid-fallback"
#: The file that package installs.
FONT_PACKAGE_FILE = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
#: Known Debian locations, preferred first (fonts-droid-fallback, fonts-wqy-*, fonts-arphic-*).
KNOWN_PATHS = (
    FONT_PACKAGE_FILE,
    Path("/usr/share/fonts/truetype/droid/DroidSansFallback.ttf"),
    Path("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf"),
)
#: Characters a usable font must have: a sample of the map's own words.
SAMPLE = "阳泉市灾情态势图例避难场所级响应实地核查估算北"
#: The Latin font listed before the CJK one; matplotlib ships it.
LATIN_FAMILY = "DejaVu Sans"
_FC_LIST_TIMEOUT_S = 10


@dataclass(frozen=True)
class CjkFont:
    """A CJK font registered with matplotlib."""

    path: Path
    name: str

    @property
    def family(self) -> list[str]:
        """The font family list to set: Latin first, the CJK font as fallback."""
        return [LATIN_FAMILY, self.name]


def usable(path: Path) -> bool:
    """True when ``path`` is a TrueType-outlined font with the sample CJK characters."""
    if path.suffix.lower() not in {".ttf", ".otf"} or not path.is_file():
        return False
    try:
        with TTFont(str(path), lazy=True) as font:
            cmap = font.getBestCmap() or {}
            return "glyf" in font and all(ord(c) in cmap for c in SAMPLE)
    except (OSError, TTLibError):
        return False


def _fc_list() -> list[Path]:
    """Chinese TrueType fonts fontconfig knows of, or none when fc-list is missing."""
    exe = shutil.which("fc-list")
    if exe is None:
        return []
    try:
        out = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [exe, ":lang=zh:fontformat=TrueType", "file"],
            capture_output=True,
            text=True,
            check=False,
            timeout=_FC_LIST_TIMEOUT_S,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted(Path(line.strip().rstrip(":")) for line in out.splitlines() if line.strip())


def candidates() -> list[Path]:
    """Font files to try, known Debian paths first, then fontconfig's Chinese fonts."""
    seen: list[Path] = []
    for path in [*KNOWN_PATHS, *_fc_list()]:
        if path not in seen:
            seen.append(path)
    return seen


@lru_cache(maxsize=8)
def find_cjk_font(path: Path | None = None) -> CjkFont:
    """The CJK font to print with, registered with matplotlib.

    Parameters
    ----------
    path
        A font file to use instead of searching; it must be a TrueType-outlined
        ``.ttf`` with CJK characters.

    Raises
    ------
    FontNotFound
        When ``path`` is unusable, or no usable font is installed; the message names
        the Debian package to install.
    """
    tried = [path] if path is not None else candidates()
    for candidate in tried:
        if usable(candidate):
            font_manager.fontManager.addfont(str(candidate))
            name = font_manager.FontProperties(fname=str(candidate)).get_name()
            return CjkFont(path=candidate, name=name)
    if path is not None:
        raise FontNotFound(
            f"font {path} is not a TrueType (.ttf) font with Chinese characters; "
            "the situation map needs one to embed in the PDF"
        )
    raise FontNotFound(
        "no Chinese TrueType font is installed for the printed situation map; install "
        f"the Debian package {FONT_PACKAGE} (apt-get install {FONT_PACKAGE}), "
        f"which provides {FONT_PACKAGE_FILE}"
    )
