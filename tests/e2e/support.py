"""How end-to-end tests speak to the local cloud: as a client would, over HTTP, polling against deadlines.

``urllib`` against the gateway, tokens from ``/_local/token``, events from ``/_local/events``. Every wait is a
poll with a deadline (:func:`eventually`), never a fixed sleep.
"""

from __future__ import annotations

import base64
import http.client
import json
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from shared.identity import generate_personnummer

T = TypeVar("T")


def eventually(check: Callable[[], T | None], *, timeout_s: float = 15.0, what: str = "the condition") -> T:
    """Polls ``check`` until it returns something other than None or False, or fails at the deadline."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = check()
        if result is not None and result is not False:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout_s} s")
        time.sleep(0.05)


def synthetic_personnummer(rng: random.Random) -> str:
    """A generated personnummer (YYYYMMDD-NNNC) with a valid check digit: never a real person's on purpose."""
    digits = str(generate_personnummer(rng))
    return f"{digits[:8]}-{digits[8:]}"


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class LocalClient:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        url = urlsplit(base_url)
        self._host, self._port = url.hostname or "127.0.0.1", url.port or 80

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        token: str | None = None,
    ) -> Response:
        all_headers = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body).encode()
            all_headers.setdefault("Content-Type", "application/json")
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        connection = http.client.HTTPConnection(self._host, self._port, timeout=30)
        try:
            connection.request(method, path, body, all_headers)
            response = connection.getresponse()
            return Response(response.status, _lower(response.getheaders()), response.read())
        finally:
            connection.close()

    def token(self, **identity: Any) -> str:
        response = self.request("POST", "/_local/token", json_body=identity)
        assert response.status == 200, response.body
        return str(response.json()["accessToken"])

    @staticmethod
    def token_subject(token: str) -> str:
        """The ``sub`` claim of a token this cloud issued (read, not verified: the test is the issuer's peer)."""
        payload = token.split(".")[1]
        return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"])

    def citizen_token(self, personnummer: str) -> str:
        return self.token(personnummer=personnummer)

    def staff_token(self, staff_id: str = "PM-0001", roles: tuple[str, ...] = (), region: str = "Syd") -> str:
        return self.token(staffId=staff_id, roles=list(roles), region=region)

    def events(self, *, source: str | None = None, detail_type: str | None = None) -> list[dict[str, Any]]:
        query = "&".join(
            f"{name}={value}" for name, value in (("source", source), ("detail-type", detail_type)) if value
        )
        response = self.request("GET", f"/_local/events?{query}")
        assert response.status == 200, response.body
        return list(response.json()["events"])

    def wait_for_event(
        self, detail_type: str, matches: Callable[[dict[str, Any]], bool], timeout_s: float = 15.0
    ) -> dict[str, Any]:
        def find() -> dict[str, Any] | None:
            return next((e for e in self.events(detail_type=detail_type) if matches(e)), None)

        return eventually(find, timeout_s=timeout_s, what=f"a matching {detail_type} on the bus")


def _lower(items: Any) -> dict[str, str]:
    return {str(name).lower(): str(value) for name, value in items}


def upload(instructions: dict[str, Any], content: bytes, content_type: str) -> int:
    """POST the file as a browser form would, to the presigned target."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in instructions["fields"].items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    url = urlsplit(instructions["url"])
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=10)
    try:
        connection.request(
            "POST",
            url.path or "/",
            b"".join(parts),
            {"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        return connection.getresponse().status
    finally:
        connection.close()
