"""Outside systems' intake under load: wrk (Debian) against `cityloop serve` (gunicorn) on
loopback, PostgreSQL on the same host. Two endpoints:

- POST /open311/v2/requests.json — a new appeal (form-encoded, as Open311 clients send it),
  a random service and point in the city each time: taken in, understood, placed, dispatched;
- POST /api/sensors/alarms — a device's alarm (JSON, key in X-Api-Key) from one of the demo
  city's facilities: the first opens an appeal for the facility's unit, the next fold into it.

For each, a 3-second warm-up, then `--repeats` runs of `--seconds` seconds at
`--connections` connections, printing
requests/s, latency p50/p99 (wrk --latency), non-2xx answers, and CPU milliseconds per
request of the server (gunicorn's processes) and of PostgreSQL (all its processes), read
from /proc before and after each run.

    PYTHONPATH=src python benchmarks/intake_wrk.py [--appeals 2000] [--seconds 20] [--repeats 3]

It makes (and at the end drops) the database `cityloop_bench` on 127.0.0.1:5432.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from wrk_harness import (
    PG,
    cpu_ms_since,
    cpu_ticks,
    descendants,
    free_port,
    need_wrk,
    parse_wrk,
    postgres_pids,
    psql,
    say,
)

DATABASE = "cityloop_bench"

OPEN311_LUA = """
math.randomseed(os.time())
local services = {%(services)s}
local key = "%(key)s"
local texts = {"小区门口路灯不亮", "路面有坑洼，车辆经过颠簸", "垃圾桶满了没人清运",
  "夜间施工噪音扰民", "井盖松动有安全隐患"}
request = function()
  local lat = 39.75 + math.random() * 0.35
  local lng = 116.20 + math.random() * 0.40
  local body = "api_key=" .. key .. "&service_code=" .. services[math.random(#services)] ..
    "&lat=" .. lat .. "&long=" .. lng .. "&description=" .. texts[math.random(#texts)]
  return wrk.format("POST", "/open311/v2/requests.json",
    {["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"}, body)
end
"""

SENSOR_LUA = """
math.randomseed(os.time())
local devices = {%(devices)s}
request = function()
  local body = '{"device_code": "' .. devices[math.random(#devices)] ..
    '", "alarm_type": "fault", "reading": ' .. math.random(100) .. '}'
  return wrk.format("POST", "/api/sensors/alarms",
    {["Content-Type"] = "application/json", ["X-Api-Key"] = "%(key)s"}, body)
end
"""


def check_once(port: int, key: str, service: str, device: str) -> None:
    """One request of each kind before the load: a benchmark of error answers is worthless."""
    import urllib.error
    import urllib.parse
    import urllib.request

    form = {"api_key": key, "service_code": service, "lat": "39.9", "long": "116.4"}
    calls = [
        (
            f"http://127.0.0.1:{port}/open311/v2/requests.json",
            urllib.parse.urlencode({**form, "description": "路灯不亮"}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        ),
        (
            f"http://127.0.0.1:{port}/api/sensors/alarms",
            json.dumps({"device_code": device, "alarm_type": "fault", "reading": 5}).encode(),
            {"Content-Type": "application/json", "X-Api-Key": key},
        ),
    ]
    for url, body, headers in calls:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, body, headers)) as answer:
                say(f"check {url}: {answer.status}")
        except urllib.error.HTTPError as error:
            raise SystemExit(f"{url} answered {error.code}: {error.read()[:500]!r}") from None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--appeals", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    need_wrk()
    work = Path(tempfile.mkdtemp(prefix="cityloop-wrk-"))
    env = {
        **os.environ,
        "CITYLOOP_DATA_DIR": str(work),
        "CITYLOOP_DATABASE_URL": f"{PG}/{DATABASE}",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src"),
    }
    psql(f"DROP DATABASE IF EXISTS {DATABASE}")
    psql(f"CREATE DATABASE {DATABASE}")
    server = None
    try:
        say(f"building a demo city of {args.appeals} appeals on PostgreSQL…")
        build = ["demo", "--appeals", str(args.appeals), "--days", "60"]
        subprocess.run(
            [sys.executable, "-m", "cityloop", *build],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityloop.settings")
        import django

        django.setup()
        from cityloop.access.actors import Actor
        from cityloop.access.keys import issue_key
        from cityloop.intake.sensors.models import Facility
        from cityloop.org.models import KeyScope, Role, StaffProfile
        from cityloop.taxonomy.models import Category

        admin = StaffProfile.objects.filter(role=Role.ADMIN).select_related("user").first()
        assert admin is not None, "the demo city has no administrator"
        _key, raw = issue_key(
            actor=Actor.from_user(admin.user),
            name="wrk",
            scopes=[KeyScope.OPEN311_WRITE, KeyScope.SENSOR_WRITE],
            rate_per_minute=100_000,
        )
        services = list(Category.objects.filter(level=3).values_list("code", flat=True)[:40])
        devices = list(Facility.objects.values_list("code", flat=True)[:300])
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "cityloop", "serve", "--no-demo", "--no-worker",
             "--port", str(port), "--workers", str(args.workers)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        for _ in range(120):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        time.sleep(2)  # the workers import the application
        check_once(port, raw, services[0], devices[0])
        scripts = {
            "open311 POST requests": OPEN311_LUA
            % {"services": ", ".join(f'"{code}"' for code in services), "key": raw},
            "sensor alarms": SENSOR_LUA
            % {"devices": ", ".join(f'"{code}"' for code in devices), "key": raw},
        }
        results: dict[str, list[dict[str, float]]] = {}
        for name, lua in scripts.items():
            script = work / f"{name.split()[0]}.lua"
            script.write_text(lua)
            results[name] = []
            warm = ["wrk", "-t", "2", "-c", str(args.connections), "-d", "3s", "-s", str(script)]
            subprocess.run([*warm, f"http://127.0.0.1:{port}"], check=True, capture_output=True)
            for repeat in range(args.repeats):
                app_before = cpu_ticks(descendants(server.pid))
                db_before = cpu_ticks(postgres_pids())
                done = subprocess.run(
                    ["wrk", "-t", "2", "-c", str(args.connections), "-d", f"{args.seconds}s",
                     "--latency", "-s", str(script), f"http://127.0.0.1:{port}"],
                    check=True, capture_output=True, text=True,
                )  # fmt: skip
                figures = parse_wrk(done.stdout)
                requests = max(figures["requests"], 1.0)
                app_ms = cpu_ms_since(app_before, cpu_ticks(descendants(server.pid)))
                db_ms = cpu_ms_since(db_before, cpu_ticks(postgres_pids()))
                figures["app_cpu_ms_per_request"] = app_ms / requests
                figures["db_cpu_ms_per_request"] = db_ms / requests
                results[name].append({k: round(v, 2) for k, v in figures.items()})
                say(f"{name}, run {repeat + 1}: {json.dumps(results[name][-1])}")
        print(json.dumps({"connections": args.connections, "workers": args.workers,
                          "seconds": args.seconds, "results": results},
                         ensure_ascii=False, indent=1))  # fmt: skip
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
        from django.db import connections

        connections.close_all()
        psql(f"DROP DATABASE IF EXISTS {DATABASE}")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
