"""The JSON API: only wiring. OpenAPI docs are served offline at /api/docs."""

from __future__ import annotations

from cityloop.appeals.api import router as appeals_router
from cityloop.appeals.public_api import router as public_router
from cityloop.assessment.api import router as assessment_router
from cityloop.core import api_errors
from cityloop.evaluate.api import router as evaluate_router
from cityloop.intake.api import router as intake_router

api = api_errors.CityloopAPI(
    title="cityloop API", version="1", urls_namespace="api", parser=api_errors.JsonParser()
)
api.add_router("/", appeals_router)
api.add_router("/", evaluate_router)
api.add_router("/", assessment_router)
api.add_router("/", intake_router)
api.add_router("/public", public_router)
api_errors.install(api)
