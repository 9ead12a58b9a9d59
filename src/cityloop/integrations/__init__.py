"""Outside systems that share the record: Open311 clients, departments' own systems
(webhooks)."""
