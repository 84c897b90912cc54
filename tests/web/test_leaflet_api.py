"""The app's scripts use Leaflet's public API only (issue 16: no private members).

Leaflet marks its internals with a leading underscore (``_layers``, ``_update``,
``_tiles``, ``_removeTile``): they change between releases without notice. Every
``._name`` the scripts in web/static/js use must be a member they define themselves
(a method ``_name(…) {`` of their own classes or a ``this._name =`` they assign), and no
script reaches into a Leaflet prototype.
"""

from __future__ import annotations

import re
from pathlib import Path

import web

SCRIPTS = sorted((Path(web.__file__).parent / "static" / "js").glob("*.js"))
USED = re.compile(r"\.(_[A-Za-z]\w*)")
DEFINED = re.compile(r"^\s+(?:async\s+)?(_[A-Za-z]\w*)\s*\(|this\.(_[A-Za-z]\w*)\s*=", re.M)


def test_scripts_use_no_leaflet_private_member():
    assert SCRIPTS
    texts = {path.name: path.read_text(encoding="utf-8") for path in SCRIPTS}
    own = {a or b for text in texts.values() for a, b in DEFINED.findall(text)}
    foreign = {
        (name, member)
        for name, text in texts.items()
        for member in USED.findall(text)
        if member not in own
    }
    assert foreign == set()
    assert [name for name, text in texts.items() if re.search(r"\bL\.\w+\.prototype", text)] == []


def test_the_check_finds_a_private_member():
    # The pattern the switcher used before: Leaflet's own entries and redraw.
    text = "const e = this.layerControl._layers.find(f); this.layerControl._update();"
    assert set(USED.findall(text)) == {"_layers", "_update"}
    assert DEFINED.findall(text) == []
