"""The incident map's finished texts, not compiled as templates, render as Jinja renders them.

The reference is Jinja itself: each text rendered as a template, and the whole demo map
rendered by branca as it comes (each macro's text compiled), element ids made repeatable.
"""

from __future__ import annotations

import itertools
import json
from contextlib import nullcontext

import pytest
from branca.element import Element
from jinja2 import Template

from api.service.assess import run_assessment
from api.service.bootstrap import load_services
from api.settings import Settings
from layers.resources import demo_pack_dir
from web import incident_map

TEXTS = [
    "",
    "\n",
    "a\r\nb\rc\n",
    'L.geoJson({"type": "Feature"}).addTo(map_1);\n\n',
    "var x = {a: {b: 1}};\n",
    "keep {{ 1 + 1 }} and {# this #} and {% if true %}that{% endif %}\n",
]


@pytest.mark.parametrize("text", TEXTS)
def test_a_text_renders_as_its_template(text):
    assert incident_map._Text(text).render() == Template(text).render(this=None, kwargs={})


def test_the_map_is_the_page_branca_renders(monkeypatch):
    services = load_services(Settings(), with_store=False)
    footprint = json.loads((demo_pack_dir() / "footprints" / "flood_taohe.geojson").read_text())
    answer, _ = run_assessment(services, footprint=footprint, hazard="flood")
    pages = []
    for texts in (nullcontext, incident_map._plain_texts):
        ids = itertools.count()
        numbered = classmethod(lambda cls, ids=ids: f"{next(ids):x}")
        monkeypatch.setattr(Element, "_generate_id", numbered)
        monkeypatch.setattr(incident_map, "_plain_texts", texts)
        pages.append(incident_map.render_html(answer, services.pack))
    assert pages[0] == pages[1]
    assert len(pages[0]) > 100_000  # the roads, counties and shelters are in it
