"""Lambda: the HTTP API of the bookings service (``/bookings/v1``). Thin: the routes parse, authorize, delegate."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from services.bookings.manifest import BASE, MANIFEST
from services.bookings.routes import citizen, public, staff
from services.bookings.telemetry import logger, metrics, tracer
from shared.http.resolver import create_resolver
from shared.observability import entry_point

app = create_resolver(title=MANIFEST.title, base_path=BASE, logger=logger, routes=MANIFEST.routes)
app.include_router(public.router)
app.include_router(citizen.router)
app.include_router(staff.router)


@entry_point(logger, metrics=metrics, tracer=tracer, correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
