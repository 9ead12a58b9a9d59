"""The JSON API: only wiring. OpenAPI docs are served offline at /api/docs."""

from __future__ import annotations

from cityloop.appeals.api import router as appeals_router
from cityloop.appeals.public_api import router as public_router
from cityloop.assessment.api import router as assessment_router
from cityloop.dispatch.api import router as dispatch_router
from cityloop.evaluate.api import router as evaluate_router
from cityloop.evaluate.public_api import router as public_rating_router
from cityloop.handling.api import router as handling_router
from cityloop.intake import api as intake_api  # noqa: F401  (adds POST /appeals to appeals_router)
from cityloop.intake.public_api import router as public_intake_router
from cityloop.intake.sensors.api import router as sensors_router
from cityloop.intake.understanding_api import router as understanding_router
from cityloop.integrations.webhooks.api import router as webhooks_router
from cityloop.kernel import api_errors
from cityloop.oversight.api import router as oversight_router
from cityloop.proactive.api import router as proactive_router
from cityloop.warning.api import router as warning_router

api = api_errors.CityloopAPI(
    title="cityloop API", version="1", urls_namespace="api", parser=api_errors.JsonParser()
)
api.add_router("/", appeals_router)
api.add_router("/", understanding_router)
api.add_router("/", dispatch_router)
api.add_router("/", handling_router)
api.add_router("/", oversight_router)
api.add_router("/", evaluate_router)
api.add_router("/", assessment_router)
api.add_router("/", warning_router)
api.add_router("/", proactive_router)
api.add_router("/", sensors_router)
api.add_router("/", webhooks_router)
api.add_router("/public", public_router)
api.add_router("/public", public_intake_router)
api.add_router("/public", public_rating_router)
api_errors.install(api)
