"""Outside systems in without special code, sharing one record: Open311 clients (open311/),
departments' own systems hearing of their appeals' events (webhooks/)."""
