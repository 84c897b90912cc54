"""Whole assessment answers, written to a folder, and two folders compared byte for byte.

``python -m bench.whole_answers dump DIR [--pack /work/packs/jiangsu]`` writes one JSON
file per incident: the demo's footprints under each hazard (an error message where the
footprint's classes are not the hazard's), the demo M6.0 earthquake, and, with a province
pack, its 100 km², flood_huai and 20,000 km² footprints as floods and an M6.5 earthquake
near 南京. Each is `api.service.assess.run_assessment`'s answer with its id and times left
out, keys sorted. ``python -m bench.whole_answers compare A B`` lists the files that
differ. A change meant to leave every answer as it was is checked by dumping before and
after it and comparing.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from api.service.assess import run_assessment
from api.service.bootstrap import load_services
from api.settings import Settings
from bench.common import without_run_keys
from geo.errors import InputError
from layers.resources import demo_pack_dir

DEMO_QUAKE = {"magnitude": 6.0, "lon": 113.41, "lat": 38.09}
PROVINCE_QUAKE = {"magnitude": 6.5, "lon": 118.80, "lat": 32.05}
PROVINCE_FOOTPRINTS = ("scale_100km2", "flood_huai", "scale_20000km2")


def _write(folder: Path, name: str, body: Any) -> None:
    text = json.dumps(without_run_keys(body), sort_keys=True, ensure_ascii=False)
    (folder / f"{name}.json").write_text(text, encoding="utf-8")


def dump(folder: Path, pack: Path | None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    demo = load_services(Settings.from_env(), with_store=False)
    for path in sorted((demo_pack_dir() / "footprints").glob("*.geojson")):
        footprint = json.loads(path.read_text(encoding="utf-8"))
        for hazard in ("flood", "earthquake", "landslide"):
            try:
                body, _ = run_assessment(demo, footprint=footprint, hazard=hazard)
            except InputError as exc:
                body = {"error": str(exc)}
            _write(folder, f"demo_{path.stem}_{hazard}", body)
    _write(folder, "demo_quake", run_assessment(demo, earthquake=DEMO_QUAKE)[0])
    if pack is None:
        return
    province = load_services(replace(Settings.from_env(), data_dir=pack), with_store=False)
    for name in PROVINCE_FOOTPRINTS:
        footprint = json.loads((pack / "footprints" / f"{name}.geojson").read_text("utf-8"))
        body, _ = run_assessment(province, footprint=footprint, hazard="flood")
        _write(folder, f"province_{name}", body)
    _write(folder, "province_quake", run_assessment(province, earthquake=PROVINCE_QUAKE)[0])


def compare(first: Path, second: Path) -> int:
    names = sorted({p.name for p in first.glob("*.json")} | {p.name for p in second.glob("*.json")})
    differ = [
        n
        for n in names
        if not (first / n).is_file()
        or not (second / n).is_file()
        or (first / n).read_bytes() != (second / n).read_bytes()
    ]
    for name in differ:
        print(f"differs: {name}")
    print(f"{len(names) - len(differ)} of {len(names)} answers byte-identical")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    dumping = sub.add_parser("dump", help="write the answers into a folder")
    dumping.add_argument("folder", type=Path)
    dumping.add_argument("--pack", type=Path, default=None, help="a province pack")
    comparing = sub.add_parser("compare", help="compare two folders of answers")
    comparing.add_argument("first", type=Path)
    comparing.add_argument("second", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.folder, args.pack)
        return 0
    return compare(args.first, args.second)


if __name__ == "__main__":
    sys.exit(main())
