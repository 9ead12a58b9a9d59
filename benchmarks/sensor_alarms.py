"""What a sensor feed costs. Prints, on a fresh SQLite database in a temporary folder:

- first alarms per second (each opens an appeal and dispatches it to the facility's unit);
- repeated alarms per second folded into an open appeal, through the service layer and
  through POST /api/sensors/alarms (key check, JSON, key use logged);
- the appeals and timeline entries that 1,000 alarms from one device leave behind.

Usage: python benchmarks/sensor_alarms.py [--devices 100] [--repeats 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

os.environ["CITYLOOP_DATA_DIR"] = tempfile.mkdtemp(prefix="cityloop-sensor-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityloop.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=1000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.test import Client

    from cityloop.access import keys
    from cityloop.appeals.models import Appeal, AppealEvent
    from cityloop.cli import _prepare_database
    from cityloop.intake.sensors.alarms import Alarm, report_alarm, sensor_actor
    from cityloop.intake.sensors.models import Facility, FacilityKind
    from cityloop.org.models import KeyScope
    from cityloop.testing import build_tiny_city

    print(f"database: sqlite  python {sys.version.split()[0]}  cpus {os.cpu_count()}")
    _prepare_database()
    city = build_tiny_city()
    address = city.addresses[0]
    for number in range(args.devices):
        Facility.objects.create(
            code=f"LD-{number:05d}",
            kind=FacilityKind.STREETLIGHT,
            name=f"路灯{number}",
            lat=address.lat,
            lng=address.lng,
            grid=address.grid,
            standard_address=address,
            unit=city.cityops,
        )
    actor = sensor_actor("bench")

    started = time.perf_counter()
    for number in range(args.devices):
        report_alarm(Alarm(f"LD-{number:05d}", "灯具不亮", "0 lx"), actor=actor)
    opened = time.perf_counter() - started
    print(f"first alarms (open + dispatch): {args.devices / opened:8.1f} /s")

    events_before = AppealEvent.objects.count()
    started = time.perf_counter()
    for i in range(args.repeats):
        report_alarm(Alarm("LD-00000", "灯具不亮", f"{i} lx"), actor=actor)
    folded = time.perf_counter() - started
    print(f"repeats folded (service):       {args.repeats / folded:8.1f} /s")
    print(
        f"  after {args.repeats + 1} alarms from one device: "
        f"{Appeal.objects.filter(sensor_case__facility__code='LD-00000').count()} appeal, "
        f"{AppealEvent.objects.count() - events_before} new timeline entries"
    )

    city.admin_client()
    _key, raw = keys.issue_key(
        actor=city.actor("admin"),
        name="bench",
        scopes=[KeyScope.SENSOR_WRITE],
        rate_per_minute=100_000,
    )
    client = Client(headers={"X-Api-Key": raw})
    body = json.dumps({"device_code": "LD-00001", "alarm_type": "灯具不亮", "reading": 1})
    started = time.perf_counter()
    for _ in range(args.repeats):
        answer = client.post("/api/sensors/alarms", body, content_type="application/json")
        assert answer.status_code == 200, answer.content
    over_http = time.perf_counter() - started
    print(f"repeats folded (HTTP):          {args.repeats / over_http:8.1f} /s")


if __name__ == "__main__":
    main()
