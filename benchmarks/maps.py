"""What the real district outlines cost: the time to lay out the demo city on them, the size of
its polygons, and the bytes the maps carry (the districts embedded in every map page, the
streets the report page fetches). Nothing is written to a database.

Usage: python benchmarks/maps.py [--seed 12345] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityloop.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from cityloop.demo import geography
    from cityloop.geo.models import Area
    from cityloop.geo.outlines import district_outlines
    from cityloop.geo.services import feature_collection

    started = time.perf_counter()
    district_outlines()
    print(f"decode the ECharts outlines: {1000 * (time.perf_counter() - started):.0f} ms")

    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        layout = geography.build_city(args.seed)
        timings.append(time.perf_counter() - started)
    print(f"lay out the whole city (median of {args.repeat}): {statistics.median(timings):.2f} s")

    for level in ("district", "street", "community", "grid"):
        areas = layout.by_level(level)
        points = [len(a.polygon) for a in areas]
        print(
            f"{level:>9}: {len(areas):5d} areas, points per outline "
            f"median {statistics.median(points):.0f}, max {max(points)}, total {sum(points)}"
        )
    print(f"addresses: {len(layout.addresses)}")

    def payload(level: str, digits: int) -> int:
        rows = [
            Area(code=a.code, name=a.name, level=a.level, polygon=a.polygon)
            for a in layout.by_level(level)
        ]
        return len(json.dumps(feature_collection(rows, digits=digits), ensure_ascii=False).encode())

    print(f"districts embedded in each map page: {payload('district', 4) / 1024:.0f} KiB")
    print(f"streets fetched by the report page:  {payload('street', 5) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
