"""What the browser tests count as staying on this machine, and the keyed server's key."""

from __future__ import annotations

from urllib.parse import urlparse

LOCAL_HOSTS = {"127.0.0.1"}
LOCAL_SCHEMES = {"data", "blob", "about", "file"}
#: The API key of the keyed test server (an analyst's).
TEST_KEY = "correct-horse-battery-staple"


def is_local(url: str) -> bool:
    """True for a request that stays on this machine's loopback or inside the page."""
    parts = urlparse(url)
    return parts.scheme in LOCAL_SCHEMES or parts.hostname in LOCAL_HOSTS
