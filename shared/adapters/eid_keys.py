"""The e-ID broker's published signing keys (a JSON Web Key Set over HTTPS), kept by the function between
invocations.

Keys are fetched on first use and again after :data:`REFRESH_AFTER_S`; a token naming a key the set does not
hold fetches the set again (the broker rotated its keys), at most once per :data:`REFETCH_GAP_S`, so a stream
of tokens with made-up key ids cannot make the function hammer the broker. When the broker cannot be reached
the keys already held are used; with none held, :class:`KeysUnavailable` is raised (the login cannot be checked
at all, which is not the caller's fault).
"""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from shared.eid_tokens import public_keys

REFRESH_AFTER_S = 3600
REFETCH_GAP_S = 60
TIMEOUT_S = 3
MAX_BYTES = 64 * 1024

Fetch = Callable[[str], bytes]


class KeysUnavailable(RuntimeError):
    """The broker's key set could not be read and none is held."""


# Plain HTTP only to this machine: the local cloud's and the benches' broker.
_LOOPBACK = frozenset({"127.0.0.1", "localhost"})


def fetch_over_https(url: str) -> bytes:
    address = urllib.parse.urlsplit(url)
    if not (address.scheme == "https" or (address.scheme == "http" and address.hostname in _LOOPBACK)):
        raise KeysUnavailable(f"the key set's address must be HTTPS: {url}")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 - checked above
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 - checked above
        body: bytes = response.read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        raise KeysUnavailable("the key set is larger than any broker's")
    return body


class BrokerKeys:
    def __init__(
        self,
        url: str,
        *,
        fetch: Fetch = fetch_over_https,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = url
        self._fetch = fetch
        self._monotonic = monotonic
        self._keys: dict[str, Any] = {}
        self._fetched_at: float | None = None  # the last fetch that read a key set
        self._tried_at: float | None = None  # the last attempt, read or not

    def current(self, kid: str | None) -> dict[str, Any]:
        """The keys to check a token naming ``kid`` against."""
        now = self._monotonic()
        stale = self._fetched_at is None or now - self._fetched_at >= REFRESH_AFTER_S
        unknown = kid is not None and kid not in self._keys
        may_try = not self._keys or self._tried_at is None or now - self._tried_at >= REFETCH_GAP_S
        if (stale or unknown) and may_try:
            self._refresh(now)
        if not self._keys:
            raise KeysUnavailable(f"the broker's key set could not be read from {self._url}")
        return self._keys

    def _refresh(self, now: float) -> None:
        self._tried_at = now
        try:
            keys = public_keys(json.loads(self._fetch(self._url)))
        except (OSError, ValueError, KeysUnavailable):
            return
        if keys:
            self._keys = keys
            self._fetched_at = now
