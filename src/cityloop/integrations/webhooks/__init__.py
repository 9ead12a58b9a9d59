"""Webhooks: a department's own system subscribes with its api key and is told of every
event of the appeals its key may see, signed, retried, and never twice."""
