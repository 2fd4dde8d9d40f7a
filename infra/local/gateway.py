"""The HTTP front door on loopback: API Gateway for every service's routes, plus the ``/_local/`` endpoints.

For a service route it does what API Gateway does, in this order: find the route (404, 405), refuse an
oversized body (413), throttle the client (429), authenticate the bearer token as the route's authorizer
would (401), invoke the service's api function with a REST proxy event, and map the result back (502 when
the function fails or answers something API Gateway cannot use).
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from infra.local.apigw import (
    HttpRequest,
    HttpResponse,
    MalformedProxyResult,
    MethodNotAllowed,
    RouteMatch,
    RouteTable,
    json_response,
    problem,
    proxy_event,
    response_from_proxy_result,
)
from infra.local.faults import FaultBook, InvalidFault
from infra.local.invoker import FunctionError
from infra.local.plan import LocalPlan, RoutePlan, ServicePlan
from infra.local.pollers import EventTap
from infra.local.ratelimit import TokenBucketLimiter
from infra.local.tokens import InvalidTokenRequest, TokenError, TokenIssuer, bearer_token, claims_for_request
from shared.eid_tokens import MAX_LIFETIME_S

if TYPE_CHECKING:
    from infra.local.payments import PaymentSimulator

log = logging.getLogger("infra.local.gateway")

ServiceInvoke = Callable[[str, str, Any], Any]  # (service, function, event) -> result; raises FunctionError
Health = Callable[[], tuple[bool, dict[str, Any]]]

# API Gateway's own hard limit; bodies up to it are read and dropped so the client sees the 413.
_DRAIN_LIMIT = 10 * 1024 * 1024
_LOCAL_BODY_LIMIT = 64 * 1024
_MAX_TOKEN_TTL_S = 24 * 3600


class TooLarge(Exception):
    pass


class Gateway:
    def __init__(
        self,
        plan: LocalPlan,
        *,
        invoke: ServiceInvoke,
        tokens: TokenIssuer,
        tap: EventTap,
        health: Health,
        faults: FaultBook | None = None,
        payments: PaymentSimulator | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        today: Callable[[], date] = date.today,
    ) -> None:
        self._routes = RouteTable(plan.routes)
        self._services = {s.name: s for s in plan.services}
        self._limiters = {
            s.name: TokenBucketLimiter(s.rate_limit_per_second, s.burst_limit) for s in plan.services
        }
        self._route_limiters = {
            (r.method, r.path): TokenBucketLimiter(r.rate_limit_per_second, r.burst_limit)
            for r in plan.routes
            if r.rate_limit_per_second is not None and r.burst_limit is not None
        }
        self._invoke = invoke
        self._tokens = tokens
        self._tap = tap
        self._health = health
        self._faults = faults
        self._payments = payments
        self._today = today
        self._accepting = threading.Event()
        self._host = host
        self._server = _Server((host, port), self)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="gateway", daemon=True
        )
        self._thread.start()

    def accept_service_traffic(self) -> None:
        self._accepting.set()

    def stop(self) -> None:
        self._accepting.clear()
        if self._thread:
            self._server.shutdown()
            self._thread.join(5)
        self._server.server_close()

    # --- dispatch ----------------------------------------------------------------------------------------

    def handle(
        self, method: str, target: str, headers: list[tuple[str, str]], source_ip: str, body: _BodyReader
    ) -> HttpResponse:
        url = urlsplit(target)
        if url.path == "/_local" or url.path.startswith("/_local/"):
            return self._local(method, url.path, url.query, body)
        match = self._routes.match(method, url.path)
        if match is None:
            return problem(HTTPStatus.NOT_FOUND, "not-found", f"No route {url.path}", instance=url.path)
        if isinstance(match, MethodNotAllowed):
            allowed = ", ".join(match.allowed)
            return problem(
                HTTPStatus.METHOD_NOT_ALLOWED,
                "method-not-allowed",
                f"{url.path} accepts {allowed}",
                instance=url.path,
                headers=[("Allow", allowed)],
            )
        return self._service(match, method, url.path, url.query, headers, source_ip, body)

    def _service(
        self,
        match: RouteMatch,
        method: str,
        path: str,
        query: str,
        headers: list[tuple[str, str]],
        source_ip: str,
        body: _BodyReader,
    ) -> HttpResponse:
        service = self._services[match.route.service]
        try:
            payload = body.read(service.max_body_bytes)
        except TooLarge:
            return problem(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                "payload-too-large",
                f"The body exceeds {service.max_body_bytes} bytes",
                instance=path,
            )
        if not self._accepting.is_set():
            return problem(
                HTTPStatus.SERVICE_UNAVAILABLE,
                "starting",
                "The local cloud is starting",
                instance=path,
                headers=[("Retry-After", "1")],
            )
        for limiter in self._limiters_of(service, match.route):
            wait_s = limiter.acquire(source_ip)
            if wait_s > 0:
                return problem(
                    HTTPStatus.TOO_MANY_REQUESTS,
                    "too-many-requests",
                    f"More than {limiter.rate:g} requests per second",
                    instance=path,
                    headers=[("Retry-After", str(max(1, math.ceil(wait_s))))],
                )
        request = HttpRequest(method, path, query, headers, payload, source_ip)
        claims = self._authenticate(match.route, request)
        if isinstance(claims, HttpResponse):
            return claims
        request_id = str(uuid.uuid4())
        event = proxy_event(
            request,
            match,
            request_id=request_id,
            claims=claims,
            now=datetime.now(UTC),
            domain_name=request.header("Host") or self.url.removeprefix("http://"),
        )
        try:
            result = self._invoke(service.name, match.route.function, event)
            response = response_from_proxy_result(result)
        except FunctionError as exc:
            log.warning("%s %s: %s", method, path, exc)
            return _bad_gateway(path)
        except MalformedProxyResult as exc:
            log.warning("%s %s: malformed Lambda proxy response: %s", method, path, exc)
            return _bad_gateway(path)
        response.headers.append(("x-amzn-RequestId", request_id))
        return response

    def _limiters_of(self, service: ServicePlan, route: RoutePlan) -> Iterator[TokenBucketLimiter]:
        """The service's limiter, then the route's own if it has one (as the stage's, then the method's)."""
        yield self._limiters[service.name]
        route_limiter = self._route_limiters.get((route.method, route.path))
        if route_limiter is not None:
            yield route_limiter

    def _authenticate(self, route: RoutePlan, request: HttpRequest) -> dict[str, str] | HttpResponse | None:
        """The claims to pass, None for a public route, or the 401 the authorizer answers."""
        if route.audience == "public":
            # No authorizer: API Gateway passes the Authorization header through untouched and no claims.
            return None
        try:
            token = bearer_token(request.header("Authorization"))
            if token is None:
                raise TokenError("a bearer token is required")
            # Citizens' routes take the e-ID broker's tokens, the others the user pool's, as their
            # authorizers in AWS do (ADR 77); which kind of pool caller may use a route is the service's
            # decision (403).
            if route.audience == "citizen":
                claims = self._tokens.verify_citizen(token)
            else:
                claims = self._tokens.verify(token)
        except TokenError as exc:
            return problem(
                HTTPStatus.UNAUTHORIZED,
                "unauthorized",
                str(exc),
                instance=request.path,
                headers=[("WWW-Authenticate", 'Bearer realm="eservices-local"')],
            )
        return claims

    # --- /_local/ ----------------------------------------------------------------------------------------

    def _local(self, method: str, path: str, query: str, body: _BodyReader) -> HttpResponse:
        endpoints: dict[str, dict[str, Callable[[], HttpResponse]]] = {
            "/_local/health": {"GET": self._health_response},
            "/_local/token": {"POST": lambda: self._token(body)},
            "/_local/eid/jwks.json": {"GET": lambda: json_response(HTTPStatus.OK, self._tokens.eid_jwks())},
            "/_local/events": {"GET": lambda: self._events(query)},
            "/_local/people": {"GET": self._people},
        }
        if self._faults is not None:
            endpoints["/_local/faults"] = {
                "GET": self._list_faults,
                "POST": lambda: self._add_fault(body),
                "DELETE": self._clear_faults,
            }
        if self._payments is not None:
            endpoints["/_local/payments"] = {"GET": self._list_payments, "POST": lambda: self._pay(body)}
        if path not in endpoints:
            return problem(HTTPStatus.NOT_FOUND, "not-found", f"No local endpoint {path}", instance=path)
        methods = endpoints[path]
        if method not in methods:
            allowed = ", ".join(methods)
            return problem(
                HTTPStatus.METHOD_NOT_ALLOWED,
                "method-not-allowed",
                f"{path} accepts {allowed}",
                instance=path,
                headers=[("Allow", allowed)],
            )
        return methods[method]()

    def _health_response(self) -> HttpResponse:
        ready, details = self._health()
        # Not ready after start-up means something it needs has gone (the cloud names what in details).
        status = "ok" if ready and self._accepting.is_set() else details.pop("status", "starting")
        code = HTTPStatus.OK if status == "ok" else HTTPStatus.SERVICE_UNAVAILABLE
        return json_response(code, {"status": status, "gateway": self.url, **details})

    def _token(self, body: _BodyReader) -> HttpResponse:
        try:
            request = json.loads(body.read(_LOCAL_BODY_LIMIT) or b"null")
        except TooLarge:
            return problem(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "payload-too-large", "The body is too large")
        except ValueError:
            request = None
        try:
            if not isinstance(request, dict):
                raise InvalidTokenRequest("body", "a JSON object is required")
            ttl_s = request.get("expiresIn", self._tokens.ttl_s)
            if not isinstance(ttl_s, int) or isinstance(ttl_s, bool) or not 1 <= ttl_s <= _MAX_TOKEN_TTL_S:
                raise InvalidTokenRequest("expiresIn", f"whole seconds from 1 to {_MAX_TOKEN_TTL_S}")
            claims = claims_for_request(request, today=self._today())
            if claims["principalType"] == "citizen" and ttl_s > MAX_LIFETIME_S:
                raise InvalidTokenRequest(
                    "expiresIn", f"an e-ID login lasts at most {MAX_LIFETIME_S} seconds"
                )
        except InvalidTokenRequest as exc:
            return problem(
                HTTPStatus.BAD_REQUEST,
                "validation-failed",
                str(exc),
                instance="/_local/token",
                invalid_parameters=[(exc.name, exc.reason)],
            )
        token = self._tokens.issue(claims, ttl_s=ttl_s)
        return json_response(HTTPStatus.OK, {"accessToken": token, "tokenType": "Bearer", "expiresIn": ttl_s})

    def _people(self) -> HttpResponse:
        from infra.local.people import directory

        return json_response(HTTPStatus.OK, directory(self._today()))

    def _list_faults(self) -> HttpResponse:
        assert self._faults is not None
        return json_response(HTTPStatus.OK, {"faults": self._faults.active()})

    def _add_fault(self, body: _BodyReader) -> HttpResponse:
        assert self._faults is not None
        try:
            request = json.loads(body.read(_LOCAL_BODY_LIMIT) or b"null")
        except TooLarge:
            return problem(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "payload-too-large", "The body is too large")
        except ValueError:
            request = None
        try:
            fault = self._faults.add_from_request(request)
        except InvalidFault as exc:
            return problem(
                HTTPStatus.BAD_REQUEST,
                "validation-failed",
                str(exc),
                instance="/_local/faults",
                invalid_parameters=[(exc.name, exc.reason)],
            )
        log.warning("local fault %s added: %s", fault.id, json.dumps(fault.to_json()))
        return json_response(HTTPStatus.CREATED, fault.to_json())

    def _clear_faults(self) -> HttpResponse:
        assert self._faults is not None
        self._faults.clear()
        log.warning("local faults cleared")
        return json_response(HTTPStatus.OK, {"faults": []})

    def _list_payments(self) -> HttpResponse:
        assert self._payments is not None
        return json_response(HTTPStatus.OK, {"payments": self._payments.payments()})

    def _pay(self, body: _BodyReader) -> HttpResponse:
        assert self._payments is not None
        try:
            request = json.loads(body.read(_LOCAL_BODY_LIMIT) or b"null")
        except TooLarge:
            return problem(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "payload-too-large", "The body is too large")
        except ValueError:
            request = None
        # The provider calls the service back through the front door, as it would over the internet.
        return self._payments.take(request, gateway_url=self.url)

    def _events(self, query: str) -> HttpResponse:
        params = parse_qs(query)
        source = params.get("source", [None])[-1]
        detail_type = params.get("detail-type", params.get("detailType", [None]))[-1]
        return json_response(
            HTTPStatus.OK, {"events": self._tap.events(source=source, detail_type=detail_type)}
        )


def _bad_gateway(path: str) -> HttpResponse:
    return problem(
        HTTPStatus.BAD_GATEWAY, "bad-gateway", "The service could not answer the request", instance=path
    )


class _BodyReader:
    """Reads a request body once, refusing more than a limit (after draining it so the client hears why)."""

    def __init__(self, handler: BaseHTTPRequestHandler) -> None:
        self._handler = handler
        self._body: bytes | None = None

    def read(self, limit: int) -> bytes:
        if self._body is None:
            self._body = self._read_all()
        if len(self._body) > limit:
            raise TooLarge
        return self._body

    def _read_all(self) -> bytes:
        headers, stream = self._handler.headers, self._handler.rfile
        if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            size = 0
            while True:
                length = int(stream.readline().split(b";")[0].strip() or b"0", 16)
                if length == 0:
                    while stream.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                size += length
                if size > _DRAIN_LIMIT:
                    self._handler.close_connection = True
                    raise TooLarge
                chunks.append(stream.read(length))
                stream.readline()
        length = int(headers.get("Content-Length") or 0)
        if length > _DRAIN_LIMIT:
            self._handler.close_connection = True
            raise TooLarge
        return stream.read(length) if length > 0 else b""

    def discard(self) -> None:
        """Reads what the dispatcher did not, so the connection can serve the next request."""
        if self._body is None and not self._handler.close_connection:
            try:
                self._body = self._read_all()
            except TooLarge:
                self._body = b""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 drops a burst of connections, which clients retry a second later.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], gateway: Gateway) -> None:
        self.gateway = gateway
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "eservices-local-gateway"

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = do_GET  # noqa: N815

    def __getattr__(self, name: str) -> Any:
        """Any other method (``FOO``, ``PROPFIND``) is routed too, and so answered like a method the path does
        not have (405 problem+json), or a path that does not exist (404), never with http.server's 501 HTML
        page."""
        if name.startswith("do_") and len(name) > 3:
            return self.do_GET
        raise AttributeError(name)

    def _handle(self) -> None:
        started = time.monotonic()
        body = _BodyReader(self)
        try:
            response = self.server.gateway.handle(
                self.command, self.path, list(self.headers.items()), self.client_address[0], body
            )
        except TooLarge:
            response = problem(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "payload-too-large", "The body is too large"
            )
        except ValueError:
            self.close_connection = True
            response = problem(HTTPStatus.BAD_REQUEST, "bad-request", "The request is malformed")
        except Exception:
            log.exception("%s %s failed in the gateway", self.command, self.path)
            response = problem(HTTPStatus.INTERNAL_SERVER_ERROR, "internal", "The gateway failed")
        body.discard()
        self._write(response)
        # Never the client's address, nor the query string: a line must not identify who sent an anonymous tip
        # (as API Gateway's access log does not), and a query may carry what a client typed.
        log.info(
            '"%s %s" %d %.1fms',
            self.command,
            urlsplit(self.path).path,
            response.status,
            (time.monotonic() - started) * 1000,
        )

    def _write(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are logged once, with their outcome, by ``_handle``."""
