"""The bookings service's Logger, Metrics and Tracer, shared by its entry points and routes."""

from aws_lambda_powertools import Tracer

from shared.observability import create_logger, create_metrics

logger = create_logger()
metrics = create_metrics()
tracer = Tracer()
