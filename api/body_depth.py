"""How deep a JSON request body nests, counted while it streams in, before it is parsed.

Python's JSON parser recurses: a body nested a thousand levels or more fails inside it,
and FastAPI would answer 400 "error parsing the body". A bounded scan of the brackets
outside strings, one chunk at a time, finds a body deeper than the nesting limit first,
so it gets the same 422 naming ``max_nesting`` as a shallower over-deep geometry does.
"""

from __future__ import annotations

import re

from fastapi import HTTPException

#: The characters the scan stops at: brackets, and the quotes and escapes of strings.
_STRUCTURE = re.compile(rb'[\[\]{}"\\]')
#: The longest top-level key kept to name the field at fault.
_MAX_KEY = 64


class NestingRefused(HTTPException):
    """A body nested deeper than the limit (422), naming the top-level field it lies in."""

    def __init__(self, field: str, limit: int) -> None:
        super().__init__(
            422, f"{field}: nested more than {limit} levels deep (max_nesting = {limit})"
        )
        self.field = field


class DepthScan:
    """Scan a JSON body chunk by chunk; refuse it once a member nests past ``limit``.

    A member's depth counts its own object or array as level 1, as
    `geo.incident.limits.check_nesting` counts a footprint; the body's own level is not
    counted. A body that is an array counts as the field ``body``.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.depth = 0
        self.in_string = False
        self.escaped = False
        self.key = bytearray()
        self.last_key = "body"
        self.top_is_array = False

    def feed(self, chunk: bytes) -> None:
        """Scan ``chunk``, carrying the state of the last one on.

        Raises
        ------
        NestingRefused
            A member of the body nests deeper than ``limit``.
        """
        position = 0
        while position < len(chunk):
            if self.in_string:
                position = self._in_string(chunk, position)
                continue
            match = _STRUCTURE.search(chunk, position)
            if match is None:
                return
            position = match.end()
            self._structure(match.group())

    def _in_string(self, chunk: bytes, position: int) -> int:
        """Move through a string to its closing quote; keep top-level keys."""
        if self.escaped:
            self.escaped = False
            position += 1
        end = chunk.find(b'"', position)
        stop = len(chunk) if end < 0 else end
        backslash = chunk.find(b"\\", position, stop)
        if backslash >= 0:
            self._keep(chunk[position:backslash])
            self.escaped = True
            return backslash + 1
        self._keep(chunk[position:stop])
        if end >= 0:
            self.in_string = False
            if self.depth == 1 and not self.top_is_array:
                self.last_key = self.key.decode("utf-8", errors="replace")
        return stop + 1

    def _keep(self, text: bytes) -> None:
        if self.depth == 1 and len(self.key) < _MAX_KEY:
            self.key.extend(text[: _MAX_KEY - len(self.key)])

    def _structure(self, char: bytes) -> None:
        if char == b'"':
            self.in_string = True
            self.key.clear()
        elif char in (b"[", b"{"):
            if self.depth == 0:
                self.top_is_array = char == b"["
            self.depth += 1
            if self.depth - 1 > self.limit:
                raise NestingRefused(self.last_key, self.limit)
        elif char in (b"]", b"}"):
            self.depth -= 1
