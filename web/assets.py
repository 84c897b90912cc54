"""Where the browser app's files and Leaflet (from the XStatic-Leaflet package) lie."""

from __future__ import annotations

from pathlib import Path

import xstatic.pkg.leaflet

#: The browser app: index.html, app.css and the ES modules in js/.
STATIC_DIR = Path(__file__).resolve().parent / "static"
#: leaflet.js, leaflet.css and images/, installed by the XStatic-Leaflet package.
LEAFLET_DIR = Path(xstatic.pkg.leaflet.BASE_DIR)
