"""The one error hierarchy of reliefgis; `api/errors.py` maps it to HTTP statuses.

Every exception class reliefgis raises on purpose lives here, whichever layer raises it
(the store, the compute workers, the printed map): one table in `api/errors.py` can then
map each to a status without importing the layer that raises it.
"""

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


class StoreError(ReliefError, RuntimeError):
    """The store cannot be opened or written."""


class ComputeUnavailable(ReliefError, RuntimeError):
    """A compute worker process died while it held the request; retrying may succeed."""


class FontNotFound(ReliefError, LookupError):
    """No CJK TrueType font is installed to print Chinese text with."""


class ExportError(ReliefError, RuntimeError):
    """An export file could not be written."""


class OfflineError(InternalError):
    """A rendered page still refers to a remote asset: a bug, not bad input."""


class TooBusy(ReliefError, RuntimeError):
    """Too much work of one kind is already running for this client; try again later."""

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class Problems:
    """Collects every fault of a profile or input so that the refusal names them all at once.

    ``what`` names the thing refused (e.g. ``"plan profile yangquan-2026.toml"``); the
    error raised is ``error`` with every ``key: expectation`` joined, after ``what`` and
    ``lead`` (``": "`` unless the refusal reads better with another, e.g. ``" refused — "``).
    """

    def __init__(
        self, what: str, *, error: type[ReliefError] = PlanError, lead: str = ": "
    ) -> None:
        self.what = what
        self.error = error
        self.lead = lead
        self.items: list[str] = []

    def add(self, key: str, expectation: str) -> None:
        """Record that ``key`` is not what was expected."""
        self.items.append(f"{key}: {expectation}")

    def raise_if_any(self) -> None:
        """Raise one error naming every recorded fault, if there is any."""
        if self.items:
            raise self.error(self.what + self.lead + "; ".join(self.items))
