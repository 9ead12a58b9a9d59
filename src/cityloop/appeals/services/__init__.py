"""The one write path of the record (core.apply). Each stage of the loop has its own services:
intake.services, dispatch.services, handling.services, oversight.services, evaluate.services."""
