"""DBF field names and text limits: ASCII ≤ 10 characters, text cut on a character."""

from __future__ import annotations

import pytest

from geo.errors import InputError
from layers.exports.shapefile import dbf_names, dbf_text


def test_field_names_are_ascii_unique_and_at_most_ten_characters():
    names = dbf_names(["item_drinking_water", "item_drinking_wine", "name", "受灾人口"])
    assert names == {
        "item_drinking_water": "item_drink",
        "item_drinking_wine": "item_drin1",
        "name": "name",
        "受灾人口": "____",
    }


@pytest.mark.parametrize(("encoding", "characters"), [("UTF-8", 84), ("GBK", 127)])
def test_long_chinese_text_is_cut_on_a_character_boundary(encoding, characters):
    text = "避难场所" * 100
    cut = dbf_text(text, encoding, "conflicts")
    assert len(cut.encode(encoding)) <= 254
    assert text.startswith(cut)
    assert len(cut) == characters


def test_text_gbk_cannot_write_names_the_encoding():
    with pytest.raises(InputError, match="encoding") as caught:
        dbf_text("避难 \U0001f3d5", "GBK", "name")
    assert caught.value.field == "encoding"
