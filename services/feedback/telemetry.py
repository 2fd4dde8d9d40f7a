"""The feedback service's Logger, Metrics and Tracer, shared by its entry points and routes."""

from shared.observability import create_logger, create_metrics, create_tracer

logger = create_logger()
metrics = create_metrics()
tracer = create_tracer()
