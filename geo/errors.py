"""The one error hierarchy of reliefgis; `api/errors.py` maps it to HTTP statuses."""

from __future__ import annotations


class ReliefError(Exception):
    """Base of every error reliefgis raises on purpose."""


class InputError(ReliefError, ValueError):
    """A request or command argument is malformed; the message names the field."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class GeometryError(InputError):
    """A geometry cannot be used: broken GeoJSON, empty, wrong type or outside the area."""


class PlanError(ReliefError, ValueError):
    """A plan profile file is malformed; the message names the file and the key."""


class PlanNotFound(ReliefError, LookupError):
    """No plan profile has the requested id."""


class LayerError(ReliefError, ValueError):
    """A layer pack is unusable; the message names the layer, the column and the expectation."""


class LayerNotFound(ReliefError, LookupError):
    """No layer of the pack has the requested name."""


class NotFound(ReliefError, LookupError):
    """A stored object (assessment, incident …) does not exist."""


class ProfileError(ReliefError, ValueError):
    """A settings profile (setbacks, service radii …) is malformed; the message names the key."""


class InternalError(ReliefError, RuntimeError):
    """A result failed its own consistency check: a bug in reliefgis, not bad input."""
