"""The admin reads Chinese throughout: the job queue (django-q2), the login records
(django-axes) and the holiday names of the working-day calendar."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

ADMIN_PAGES = [
    "/admin/",
    "/admin/django_q/",
    "/admin/django_q/schedule/",
    "/admin/django_q/schedule/add/",
    "/admin/django_q/success/",
    "/admin/django_q/failure/",
    "/admin/django_q/ormq/",
    "/admin/axes/",
    "/admin/axes/accessattempt/",
    "/admin/axes/accessfailurelog/",
    "/admin/axes/accesslog/",
    "/admin/sla/workcalendarday/",
]
# Names that stay as they are: the product, the user, technical notation in help texts.
KEPT = {"cityloop", "admin", "Cron", "UTC", "croniter", "module", "tasks", "function"}
KEPT |= {"result_function", "John", "name", "API", "GET", "POST", "HTTP", "Accept", "IP", "sha"}
KEPT |= {"unknown"}  # data: axes records the test client's missing user agent as <unknown>


def _english_words(page: str) -> set[str]:
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return {w for w in re.findall(r"[A-Za-z][A-Za-z_]+", text) if w not in KEPT}


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_the_admin_page_has_no_english_left(city, url):
    response = city.admin_client().get(url)
    assert response.status_code == 200
    assert _english_words(response.content.decode()) == set()


def test_the_index_names_the_job_queue_and_the_login_records(city):
    page = city.admin_client().get("/admin/").content.decode()
    assert "后台任务队列" in page and "定时任务" in page and "失败的任务" in page
    assert "登录锁定" in page and "Django Q" not in page and "Axes" not in page


def test_holidays_are_named_in_chinese(city):
    page = city.admin_client().get("/admin/sla/workcalendarday/?date__year=2025").content.decode()
    assert "春节" in page and "国庆节" in page and "劳动节" in page
    assert "Spring Festival" not in page


def test_the_migration_names_the_holidays_copied_before_in_chinese(transactional_db):
    before = [("sla", "0001_initial")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    day = executor.loader.project_state(before).apps.get_model("sla", "WorkCalendarDay")
    copied = {"name": "Spring Festival", "source": "package"}
    day.objects.create(date="2025-01-28", is_workday=False, **copied)
    day.objects.create(date="2025-02-08", is_workday=True, **copied)
    day.objects.create(date="2027-06-07", is_workday=False, name="区庆调休", source="admin")

    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(latest)
    day = executor.loader.project_state(latest).apps.get_model("sla", "WorkCalendarDay")
    names = dict(day.objects.values_list("date", "name"))
    assert sorted(names.values()) == ["区庆调休", "春节", "春节"]
