"""The reports API, one router per audience and area; ``services.reports.api`` includes them all."""
