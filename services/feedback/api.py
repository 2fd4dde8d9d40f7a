"""Lambda: the HTTP API of the feedback service (``/feedback/v1``). Thin: the routes parse, authorize, delegate."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from services.feedback.manifest import BASE, ITEMS, MANIFEST, STAFF
from services.feedback.telemetry import logger, metrics, tracer
from shared.http.resolver import create_resolver
from shared.observability import entry_point

app = create_resolver(title=MANIFEST.title, base_path=BASE, logger=logger, routes=MANIFEST.routes)
# Each router is imported by the first request under its paths (ADR 74).
app.serve(
    "services.feedback.routes.public",
    under=[f"{BASE}/guidance", f"{BASE}/anonymous-items", f"{BASE}/lessons", f"{BASE}/published"],
)
app.serve("services.feedback.routes.citizen", under=[ITEMS])
app.serve("services.feedback.routes.staff", under=[STAFF])


@entry_point(logger, metrics=metrics, tracer=tracer, correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
