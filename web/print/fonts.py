"""The CJK font the printed situation map embeds, found at run time on any OS.

matplotlib embeds a TrueType (``glyf``) font into PDF as a Type 42 / CID TrueType
subset, which every PDF reader and printer accepts. CFF-flavoured OpenType fonts (the
Noto CJK ``.ttc`` files) come out with a font-type mismatch that strict readers warn
about, so only TrueType-outlined faces are taken. Latin letters and digits come from
matplotlib's own DejaVu Sans, the CJK font fills in the rest (matplotlib font fallback).

Where the font comes from, first found wins: the font named by the caller (a file, or a
face name such as ``Microsoft YaHei``; ``RELIEF_FONT`` / ``--font``), the Debian files
the README's commands install, fontconfig's Chinese fonts, then matplotlib's own
cross-platform search of the system's font folders (Windows' SimHei and Microsoft YaHei,
macOS' PingFang and STHeiti, Linux's WenQuanYi and Droid). A face of a ``.ttc``
collection is chosen by name and copied out to a standalone ``.ttf`` in the temporary
folder, because a PDF embeds one face, not a collection.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont, TTLibError
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

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
#: System font files to try before the rest, by file name (lower case): Windows, macOS,
#: Linux CJK fonts with TrueType outlines.
PREFERRED_FILES = (
    "simhei.ttf",
    "msyh.ttc",
    "msyh.ttf",
    "simsun.ttc",
    "pingfang.ttc",
    "stheiti light.ttc",
    "stheiti medium.ttc",
    "wqy-zenhei.ttc",
    "wqy-microhei.ttc",
    "droidsansfallbackfull.ttf",
)
_SUFFIXES = frozenset({".ttf", ".otf", ".ttc"})


@dataclass(frozen=True)
class CjkFont:
    """A CJK font registered with matplotlib."""

    path: Path
    name: str

    @property
    def family(self) -> list[str]:
        """The font family list to set: Latin first, the CJK font as fallback."""
        return [LATIN_FAMILY, self.name]


def _face_names(font: TTFont) -> set[str]:
    """The family and full names a face answers to, folded to lower case."""
    names = {font["name"].getDebugName(i) for i in (1, 4, 16)} if "name" in font else set()
    return {n.casefold() for n in names if n}


def _usable_face(path: Path, index: int, font: TTFont) -> bool:
    """TrueType outlines and the sample characters, looked up by FreeType where it can.

    FreeType finds a few characters in a CJK font's character map without reading all of
    it, as fontTools does (a tenth of a second for each map printed).
    """
    if "glyf" not in font:
        return False
    try:
        face = FT2Font(str(path), face_index=index)
    except (TypeError, OSError, RuntimeError):  # a matplotlib before 3.11, or unreadable
        cmap = font.getBestCmap() or {}
        return all(ord(c) in cmap for c in SAMPLE)
    return all(face.get_char_index(ord(c)) for c in SAMPLE)


def _faces(path: Path) -> list[tuple[int, TTFont]]:
    """The faces of a font file: one for .ttf or .otf, each of a .ttc; none if unreadable."""
    if path.suffix.lower() not in _SUFFIXES or not path.is_file():
        return []
    try:
        if path.suffix.lower() == ".ttc":
            return list(enumerate(TTCollection(str(path), lazy=True).fonts))
        return [(0, TTFont(str(path), lazy=True))]
    except (OSError, TTLibError, AssertionError):
        return []


def usable(path: Path) -> bool:
    """True when ``path`` holds a TrueType-outlined face with the sample CJK characters."""
    return any(_usable_face(path, index, font) for index, font in _faces(path))


def _standalone(path: Path, index: int, font: TTFont) -> Path:
    """A .ttf of one face: the file itself, or the face copied out of a .ttc collection."""
    if path.suffix.lower() != ".ttc":
        return path
    folder = Path(tempfile.gettempdir()) / "reliefgis-fonts"
    folder.mkdir(exist_ok=True)
    target = folder / f"{path.stem}-{index}-{path.stat().st_size}.ttf"
    if not target.is_file():
        font.save(str(target))
    return target


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


def _system_fonts() -> list[Path]:
    """The system's font files, by matplotlib's search (Windows, macOS, Linux), preferred first."""
    found = [Path(f) for f in font_manager.findSystemFonts()]
    rank = {name: i for i, name in enumerate(PREFERRED_FILES)}
    return sorted(found, key=lambda p: (rank.get(p.name.casefold(), len(rank)), str(p)))


def candidates() -> list[Path]:
    """Font files to try: known Debian paths, fontconfig's Chinese fonts, then the system's."""
    seen: list[Path] = []
    for path in [*KNOWN_PATHS, *_fc_list(), *_system_fonts()]:
        if path not in seen:
            seen.append(path)
    return seen


def _register(path: Path, index: int, font: TTFont) -> CjkFont:
    standalone = _standalone(path, index, font)
    font_manager.fontManager.addfont(str(standalone))
    name = font_manager.FontProperties(fname=str(standalone)).get_name()
    return CjkFont(path=standalone, name=name)


def _by_name(name: str) -> CjkFont | None:
    """The usable face whose family or full name is ``name``, among the system's fonts."""
    wanted = name.casefold()
    for path in candidates():
        for index, font in _faces(path):
            if wanted in _face_names(font) and _usable_face(path, index, font):
                return _register(path, index, font)
    return None


def _first_usable(paths: list[Path]) -> CjkFont | None:
    for path in paths:
        for index, font in _faces(path):
            if _usable_face(path, index, font):
                return _register(path, index, font)
    return None


@lru_cache(maxsize=8)
def find_cjk_font(font: Path | str | None = None) -> CjkFont:
    """The CJK font to print with, registered with matplotlib.

    Parameters
    ----------
    font
        A font file, or the name of an installed face (``"SimHei"``, ``"Microsoft
        YaHei"``), to use instead of searching; it must have TrueType outlines and Chinese
        characters. A ``.ttc`` file gives its first usable face.

    Raises
    ------
    FontNotFound
        When the named font is unusable or unknown, or no usable font is installed; the
        message says what to install or set.
    """
    if font is not None and (isinstance(font, Path) or Path(font).suffix.lower() in _SUFFIXES):
        found = _first_usable([Path(font)])
        if found is None:
            raise FontNotFound(
                f"font {font} is not a TrueType (.ttf/.ttc) font with Chinese characters; "
                "the situation map needs one to embed in the PDF"
            )
        return found
    if font is not None:
        found = _by_name(str(font))
        if found is None:
            raise FontNotFound(
                f"no installed TrueType font named {font!r} has Chinese characters; name a "
                "font file instead, or another face (e.g. SimHei, Microsoft YaHei)"
            )
        return found
    found = _first_usable(candidates())
    if found is None:
        raise FontNotFound(
            "no Chinese TrueType font is installed for the printed situation map; on Debian "
            f"install the package {FONT_PACKAGE} (apt-get install {FONT_PACKAGE}), which "
            f"provides {FONT_PACKAGE_FILE}; elsewhere install a Chinese TrueType font "
            "(SimHei, Microsoft YaHei) or name one with RELIEF_FONT or --font"
        )
    return found
