"""POST /api/sensors/alarms: a device's alarm from an outside system holding a key with the
scope sensor:write (header X-Api-Key). The key is checked before the body is read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status
from ninja.security import APIKeyHeader

from cityloop.access import keys
from cityloop.intake.sensors.alarms import OPENED, Alarm, report_alarm, sensor_actor
from cityloop.kernel.api_schema import ERRORS, InSchema
from cityloop.kernel.errors import DomainError
from cityloop.org.models import ApiKey, KeyScope


class SensorKey(APIKeyHeader):
    param_name = "X-Api-Key"

    def __call__(self, request: HttpRequest) -> Any:
        # a missing header is refused by keys.authenticate with its own message (403)
        return self.authenticate(request, request.headers.get(self.param_name))

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey:
        return keys.authenticate(request, key, KeyScope.SENSOR_WRITE)


router = Router(auth=SensorKey(), tags=["sensors"])


class AlarmIn(InSchema):
    device_code: str = Field(..., min_length=1, max_length=40, title="设备编码")
    alarm_type: str = Field("", max_length=60, title="告警类型")
    reading: str | float | None = Field(None, title="读数")
    at: datetime | None = Field(None, title="告警时间", description="ISO 8601，带时区")
    cleared: bool = Field(False, title="告警解除")


class AlarmOut(Schema):
    result: str = Field(..., description="opened, folded, cleared or nothing_open")
    tracking_code: str | None
    alarm_count: int


@router.post(
    "/sensors/alarms",
    response={200: AlarmOut, 201: AlarmOut, **ERRORS},
    summary="物联感知告警上报 (sensor alarm)",
)
def post_alarm(request: HttpRequest, payload: AlarmIn) -> Status[dict[str, Any]]:
    key: ApiKey = request.auth  # type: ignore[attr-defined]
    reading = payload.reading
    alarm = Alarm(
        device_code=payload.device_code,
        alarm_type=payload.alarm_type,
        reading=""
        if reading is None
        else f"{reading:g}"
        if isinstance(reading, float)
        else reading,
        at=payload.at,
        cleared=payload.cleared,
    )
    try:
        result = report_alarm(alarm, actor=sensor_actor(key.name))
    except DomainError as error:
        keys.record_use(key, request, error.status)
        raise
    status = 201 if result.result == OPENED else 200
    keys.record_use(key, request, status)
    return Status(
        status,
        {
            "result": result.result,
            "tracking_code": result.tracking_code,
            "alarm_count": result.alarm_count,
        },
    )
