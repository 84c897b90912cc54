"""The assessment as KML for field users (奥维, Google Earth): written and read by GDAL.

Folders: the footprint by class, shelters coloured by status, depots and supply routes,
each placemark named in Chinese. KML coordinates are WGS84 lon/lat by definition; a
CGCS2000 request gets the same coordinates, as the two agree to centimetres.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError

from geo._crs import LONLAT
from geo.errors import ExportError
from layers.export import Names
from layers.exports.features import Symbology, in_crs, spatial_layers

#: Folder names, in drawing order (the footprint underneath).
FOLDERS: Mapping[str, str] = {
    "footprint": "灾害范围",
    "routes": "物资调运路线",
    "depots": "物资储备库",
    "shelters": "避难场所",
}
_SYMBOL = 'SYMBOL(id:"ogr-sym-3",c:{color},s:1.2)'


def _alpha(opacity: float) -> str:
    return f"{round(opacity * 255):02x}"


def _folder(frame: Any, names: list[str], styles: list[str], extra: dict[str, list[Any]]) -> Any:
    table = pd.DataFrame({"Name": names, **extra, "OGR_STYLE": styles})
    return gpd.GeoDataFrame(table, geometry=list(frame.geometry), crs=LONLAT)


def kml_folders(frames: Mapping[str, Any], symbology: Symbology) -> dict[str, Any]:
    """The KML folders: names, a few Chinese attributes and an OGR style per placemark."""
    fp, sh, rt = frames["footprint"], frames["shelters"], frames["routes"]
    alpha = _alpha(symbology.footprint_opacity)
    out = {
        "footprint": _folder(
            fp,
            [f"{z} {c}".strip() for z, c in zip(fp["hazard_zh"], fp["hazard_class"], strict=True)],
            [
                f"BRUSH(fc:{(c := symbology.footprint_color(int(r)))}{alpha});PEN(c:{c},w:2px)"
                for r in fp["severity_rank"]
            ],
            {"灾害分级": list(fp["hazard_class"])},
        ),
        "routes": _folder(
            rt,
            [f"{d} → {s}" for d, s in zip(rt["depot_id"], rt["shelter_id"], strict=True)],
            [f"PEN(c:{symbology.route_color},w:{symbology.route_width_px}px)"] * len(rt),
            {"路程_米": list(rt["distance_m"]), "行驶时间_秒": list(rt["duration_s"])},
        ),
        "shelters": _folder(
            sh,
            [str(n) for n in sh["name"]],
            [
                _SYMBOL.format(color=symbology.status_colors.get(str(s), "#999999"))
                for s in sh["status"]
            ],
            {
                "编号": list(sh["shelter_id"]),
                "状态": list(sh["status_zh"]),
                "容量": list(sh["capacity"]),
                "安置人数": list(sh["assigned"]),
            },
        ),
    }
    if "depots" in frames:
        dp = frames["depots"]
        out["depots"] = _folder(
            dp,
            [str(n) for n in dp["name"]],
            [_SYMBOL.format(color=symbology.depot_color)] * len(dp),
            {"编号": list(dp["depot_id"])},
        )
    return {name: out[name] for name in FOLDERS if name in out}


def write_kml(
    assessment: Mapping[str, Any],
    *,
    counties: Any,
    symbology: Symbology,
    depots: Any | None = None,
    names: Names | None = None,
) -> bytes:
    """The assessment as one KML document (UTF-8, WGS84); its bytes."""
    frames = spatial_layers(
        assessment, counties=counties, depots=depots, names=names or {}, crs=LONLAT
    )
    with tempfile.TemporaryDirectory(prefix="reliefgis-kml-") as folder:
        path = Path(folder) / "assessment.kml"
        try:
            for i, (layer, frame) in enumerate(kml_folders(frames, symbology).items()):
                pyogrio.write_dataframe(
                    in_crs(frame, LONLAT),
                    path,
                    layer=FOLDERS[layer],
                    driver="KML",
                    append=i > 0,
                )
        except (DataSourceError, DataLayerError, OSError) as exc:
            raise ExportError(f"KML: cannot be written ({exc})") from exc
        return path.read_bytes()
