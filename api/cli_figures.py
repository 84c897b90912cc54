"""The reported figures as options of ``reliefgis level`` and ``assess`` (``--dead-missing`` …)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from geo.errors import InputError
from geo.plans.model import INDICATORS
from geo.response.figures import COUNTY_FIGURES


def figures(args: argparse.Namespace) -> dict[str, float]:
    """The reported figures given as options (``--dead-missing`` …)."""
    return {name: value for name in INDICATORS if (value := getattr(args, name)) is not None}


def by_county(items: Sequence[str] | None) -> dict[str, dict[str, float]]:
    """``--by-county CODE:FIGURE=N`` options as ``figures.by_county``."""
    result: dict[str, dict[str, float]] = {}
    for item in items or ():
        code, _, figure = item.partition(":")
        name, _, text = figure.partition("=")
        if not code or name not in COUNTY_FIGURES or not text:
            raise InputError(
                f"--by-county {item}: expected CODE:FIGURE=N with FIGURE one of "
                f"{', '.join(COUNTY_FIGURES)}, e.g. 140302:drought_aid_persons=12000",
                field="figures.by_county",
            )
        kind = int if INDICATORS[name][0] == "count" else float
        result.setdefault(code, {})[name] = non_negative(kind)(text)
    return result


def non_negative(kind: type[float]) -> Callable[[str], float]:
    """A parser of non-negative numbers of ``kind`` (a whole number for counts)."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            what = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if value < 0:
            raise argparse.ArgumentTypeError(f"must not be negative, got {text}")
        return float(value) if kind is float else int(value)

    return parse


def figure_options(parser: argparse.ArgumentParser) -> None:
    """Add one option per figure (``--dead-missing N`` …) and ``--by-county``."""
    for name, (kind, label) in INDICATORS.items():
        parser.add_argument(
            "--" + name.replace("_", "-"),
            dest=name,
            metavar="N",
            type=non_negative(int if kind == "count" else float),
            help=label + ("" if kind == "count" else " (0–1)"),
        )
    parser.add_argument(
        "--by-county",
        action="append",
        metavar="CODE:FIGURE=N",
        help="a county's own figure, e.g. 140302:drought_aid_persons=12000 (repeatable)",
    )


def reported_figures(args: argparse.Namespace) -> dict[str, Any]:
    """Every reported figure given as options, ``--by-county`` rows included."""
    return {**figures(args), "by_county": by_county(args.by_county)}
