"""Running cityloop as a real server: health and readiness, one structured log line per
request, Prometheus metrics, and the gunicorn settings of `cityloop serve`
(docs/decisions/0012-operations.md). Not a Django app: it has no models or templates."""
