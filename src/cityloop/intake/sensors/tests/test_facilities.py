"""The facility registry from CSV: rows kept or rejected with their reason, by code, so the
same file twice changes nothing; and `cityloop facilities import` as a user runs it."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from cityloop.access.actors import Actor
from cityloop.intake.sensors.facilities import RowRejected, import_facilities
from cityloop.intake.sensors.models import Facility
from cityloop.kernel.errors import PermissionDenied
from cityloop.testing import TinyCity, cli_env

HEADER = "code,kind,name,lat,lng,unit,grid,address,category,active\n"


def run(text: str, actor: Actor | None = None):
    return import_facilities(io.StringIO(text), actor=actor or Actor.system())


def good_rows(city: TinyCity) -> str:
    a0, a1 = city.addresses
    category = city.category("城乡建设", "城市建设和市政管理", "城市公共设施").code
    return (
        HEADER
        + f"LD-1,streetlight,光华路路灯,{a0.lat},{a0.lng},CGW,,{a0.code},{category},1\n"
        + f"JG-1,井盖,朝外井盖,{a1.lat},{a1.lng},{city.street_offices[1].code},"
        f"{a1.grid.code},,,\n"
    )


@pytest.mark.django_db
def test_rows_are_created_then_unchanged_then_updated_by_code(city: TinyCity) -> None:
    first = run(good_rows(city))
    assert (first.created, first.updated, first.unchanged, first.rejected) == (2, 0, 0, [])
    light = Facility.objects.get(code="LD-1")
    assert light.grid == city.addresses[0].grid  # found from the point
    assert light.unit == city.cityops and light.standard_address == city.addresses[0]
    assert Facility.objects.get(code="JG-1").kind == "manhole"  # the Chinese name is read
    again = run(good_rows(city))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    renamed = run(good_rows(city).replace("光华路路灯", "光华路1号路灯"))
    assert (renamed.created, renamed.updated, renamed.unchanged) == (0, 1, 1)
    assert Facility.objects.get(code="LD-1").name == "光华路1号路灯"
    assert Facility.objects.count() == 2


@pytest.mark.django_db
def test_bad_rows_are_rejected_with_line_and_reason_and_the_rest_kept(city: TinyCity) -> None:
    a0 = city.addresses[0]
    text = good_rows(city) + (
        f"X-1,rocket,火箭,{a0.lat},{a0.lng},CGW,,,,\n"
        f"X-2,drain,雨水口,north,{a0.lng},CGW,,,,\n"
        f"X-3,drain,雨水口,{a0.lat},{a0.lng},NOPE,,,,\n"
        "X-4,drain,雨水口,10.0,10.0,CGW,,,,\n"
        f"X-5,drain,雨水口,{a0.lat},{a0.lng},CGW,G-NONE,,,\n"
        f"X-6,drain,雨水口,{a0.lat},{a0.lng},CGW,,A-NONE,,\n"
        f"X-7,drain,雨水口,{a0.lat},{a0.lng},CGW,,,9999,\n"
        f"X-8,drain,雨水口,{a0.lat},{a0.lng},CGW,,,,maybe\n"
        f"LD-1,drain,又一个,{a0.lat},{a0.lng},CGW,,,,\n"
        f",drain,无编码,{a0.lat},{a0.lng},CGW,,,,\n"
        f"X-9,drain,雨水口,95,{a0.lng},CGW,,,,\n"
    )
    report = run(text)
    assert report.created == 2
    reasons = {code: (line, reason) for line, code, reason in report.rejected}
    assert reasons["X-1"] == (4, "未知的部件类型：rocket")
    assert "lat" in reasons["X-2"][1] and "north" in reasons["X-2"][1]
    assert reasons["X-3"][1] == "责任单位不存在：NOPE"
    assert "不在任何网格" in reasons["X-4"][1]
    assert reasons["X-5"][1] == "网格不存在：G-NONE"
    assert reasons["X-6"][1] == "标准地址不存在：A-NONE"
    assert reasons["X-7"][1] == "分类编码不存在：9999"
    assert "maybe" in reasons["X-8"][1]
    assert reasons["LD-1"][1] == "设备编码在文件中重复"
    assert reasons[""][1] == "缺少必填列 code"
    assert "超出范围" in reasons["X-9"][1]
    assert Facility.objects.count() == 2
    assert Facility.objects.get(code="LD-1").name == "光华路路灯"


@pytest.mark.django_db
def test_a_file_without_the_columns_or_by_a_non_admin_is_refused(city: TinyCity) -> None:
    with pytest.raises(RowRejected, match="lat, lng"):
        run("code,kind,name,unit\nA,drain,x,CGW\n")
    with pytest.raises(PermissionDenied):
        run(good_rows(city), actor=city.actor("dispatcher"))
    assert not Facility.objects.exists()


def test_the_command_reports_rejected_rows_and_refuses_a_missing_file(tmp_path: Path) -> None:
    data = tmp_path / "facilities.csv"
    data.write_text(
        "\ufeff" + HEADER + "LD-1,streetlight,路灯,39.9,116.4,NOPE,,,,\n", encoding="utf-8"
    )

    def facilities(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cityloop", "facilities", *args],
            capture_output=True,
            text=True,
            env=cli_env(tmp_path),
            timeout=300,
        )

    done = facilities("import", str(data))
    assert done.returncode == 1, done.stderr
    assert "created 0, updated 0, unchanged 0, rejected 1" in done.stdout
    assert "line 2 (LD-1): 责任单位不存在：NOPE" in done.stderr
    missing = facilities("import", str(tmp_path / "nope.csv"))
    assert missing.returncode == 2
    assert missing.stderr.strip().count("\n") == 0 and "cannot read" in missing.stderr
    bad = facilities("simulate", "--alarms", "0")
    assert bad.returncode == 2 and "--alarms" in bad.stderr


@pytest.mark.django_db
def test_facilities_are_edited_in_the_admin_and_cases_only_read(city: TinyCity) -> None:
    run(good_rows(city))
    admin = city.admin_client()
    listing = admin.get("/admin/sensors/facility/")
    assert listing.status_code == 200 and "光华路路灯" in listing.content.decode()
    light = Facility.objects.get(code="LD-1")
    assert admin.get(f"/admin/sensors/facility/{light.pk}/change/").status_code == 200
    assert admin.get("/admin/sensors/sensorcase/").status_code == 200
    assert admin.get("/admin/sensors/sensorcase/add/").status_code == 403
