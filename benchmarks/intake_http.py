"""Intake and the staff lists over HTTP under load: wrk (Debian) against `cityloop serve`
(gunicorn) on loopback, on PostgreSQL (127.0.0.1:5432, a database of its own, dropped at
the end) and on the embedded SQLite.

For each database, a demo city of `--appeals` appeals, then for each scenario a 3-second
warm-up and `--repeats` runs of `--seconds` seconds at `--connections` connections:

- intake: POST /api/appeals as the call-taker (bearer token), a random complaint at a random
  standard address of the city each time: understood, placed, dispatched, recorded;
- lists: GET /api/appeals (the staff list, 50 a page) and every other list endpoint in turn
  (alerts, proactive proposals and topics, assessment, Open311 requests) as a supervisor.

Printed per run: requests/s, latency p50/p99 (wrk --latency), non-2xx answers, CPU ms per
request of the server (gunicorn's processes) and, on PostgreSQL, of the database (all its
processes), read from /proc around each run; then the server workers' memory (RSS).

    PYTHONPATH=src python benchmarks/intake_http.py [--databases postgresql sqlite]
        [--appeals 20000] [--seconds 20] [--repeats 3] [--connections 8] [--workers N]
"""

from __future__ import annotations

import argparse
import datetime
import json
import urllib.error
import urllib.request
from pathlib import Path

from wrk_harness import (
    City,
    demo_city,
    descendants,
    dump,
    need_wrk,
    rss_mb,
    run_wrk,
    say,
    server,
    warm,
)

INTAKE_LUA = """
math.randomseed(os.time())
local places = {%(places)s}
local texts = {"门口路灯不亮，晚上很黑", "路面有坑洼，车辆经过颠簸", "垃圾桶满了没人清运",
  "夜间施工噪音扰民，影响休息", "井盖松动有安全隐患", "小区停车位被占，车辆乱停",
  "楼道灯坏了好几天", "供暖温度不达标，家里很冷"}
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(token)s"
request = function()
  local place = places[math.random(#places)]
  local text = texts[math.random(#texts)]
  local body = '{"channel": "phone", "title": "", "content": "' .. place .. text ..
    '", "caller_name": "王女士", "caller_phone": "139' .. math.random(10000000, 99999999) ..
    '", "address_text": "' .. place .. '"}'
  return wrk.format(nil, "/api/appeals", nil, body)
end
response = function(status, headers, body)
  if status ~= 201 and not reported then
    reported = true
    io.stderr:write("intake answered " .. status .. ": " .. body .. "\\n")
  end
end
"""

LISTS_LUA = """
local paths = {%(paths)s}
local n = 0
wrk.headers["Authorization"] = "Bearer %(token)s"
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
response = function(status, headers, body)
  if (status < 200 or status > 299) and not reported then
    reported = true
    io.stderr:write("a list answered " .. status .. ": " .. body .. "\\n")
  end
end
"""

STAFF_LIST = '"/api/appeals?limit=50"'
OTHER_LISTS = [
    "/api/appeals?limit=50&status=dispatched",
    "/api/alerts",
    "/api/proactive/proposals",
    "/api/proactive/topics",
    "/api/assessment?month={month}",
    "/open311/v2/requests.json",
]

SAMPLE = """
import json
from cityloop.geo.models import StandardAddress
texts = StandardAddress.objects.order_by("?").values_list("full_text", flat=True)[:200]
print(json.dumps(list(texts)))
"""


def other_lists() -> list[str]:
    month = datetime.date.today().strftime("%Y-%m")
    return [path.format(month=month) for path in OTHER_LISTS]


def refusals(port: int, token: str, paths: list[str]) -> list[str]:
    """The paths that do not answer 2xx, each with its status and the start of its answer:
    a list scenario measures lists, not refusals."""
    found = []
    for path in paths:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                answer.read()
        except urllib.error.HTTPError as refused:
            said = refused.read()[:300].decode(errors="replace")
            found.append(f"{path} → {refused.code}: {said}")
    return found


def scripts(city: City, work: Path) -> tuple[dict[str, Path], str]:
    """The wrk script of each scenario, and the supervisor's token the lists use."""
    places = json.loads(city.cityloop("manage", "shell", "-c", SAMPLE).strip().splitlines()[-1])
    calltaker = city.cityloop("token", "calltaker").strip()
    supervisor = city.cityloop("token", "supervisor").strip()
    found = {
        "intake POST /api/appeals": INTAKE_LUA
        % {"places": ", ".join(json.dumps(p, ensure_ascii=False) for p in places),
           "token": calltaker},
        "staff list GET /api/appeals": LISTS_LUA % {"paths": STAFF_LIST, "token": supervisor},
        "every list endpoint in turn": LISTS_LUA
        % {"paths": ", ".join(f'"{p}"' for p in other_lists()), "token": supervisor},
    }  # fmt: skip
    paths = {}
    for number, (name, lua) in enumerate(found.items()):
        paths[name] = work / f"scenario{number}.lua"
        paths[name].write_text(lua)
    return paths, supervisor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--databases", nargs="+", default=["postgresql", "sqlite"])
    parser.add_argument("--appeals", type=int, default=20000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=0, help="0: serve's default")
    parser.add_argument("--only", default="", help="run the scenarios whose name has this")
    args = parser.parse_args()
    need_wrk()
    results: dict[str, object] = {}
    for database in args.databases:
        with demo_city(database, args.appeals) as city:
            options = ["--workers", str(args.workers)] if args.workers else []
            work = Path(city.env["CITYLOOP_DATA_DIR"])
            lua, supervisor = scripts(city, work)
            with server(city, *options) as (port, process):
                for refused in refusals(port, supervisor, [STAFF_LIST.strip('"'), *other_lists()]):
                    say(f"{database} · refused: {refused}")
                found: dict[str, object] = {}
                for name, script in lua.items():
                    if args.only not in name:
                        continue
                    warm(port, script, args.connections)
                    runs = []
                    for repeat in range(args.repeats):
                        runs.append(
                            run_wrk(
                                port, script, seconds=args.seconds,
                                connections=args.connections, server_pid=process.pid,
                                database=database,
                            )
                        )  # fmt: skip
                        say(f"{database} · {name} · run {repeat + 1}: {json.dumps(runs[-1])}")
                    found[name] = runs
                workers = sorted(descendants(process.pid) - {process.pid})
                found["worker_rss_mb"] = [round(rss_mb(pid), 1) for pid in workers]
                results[database] = found
    dump({"connections": args.connections, "seconds": args.seconds, "results": results})


if __name__ == "__main__":
    main()
