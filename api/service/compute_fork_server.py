"""Imported last by the compute workers' fork server: reads their services there, once.

See `api.service.compute_preload`; every module the workers need is imported by then.
"""

from __future__ import annotations

from api.service.compute_preload import preload

preload()
