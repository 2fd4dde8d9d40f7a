"""The CloudWatch namespace of every service's metrics, apart from the manifest so that a function can name it
without building the manifest's classes on its cold start."""

METRICS_NAMESPACE = "EServices"
