"""Reference data every installation needs, loaded idempotently: the official taxonomy,
the holiday calendar, default deadline policies, assessment weights, role groups and the
12345 centre itself. Safe to run at every start."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from cityloop.evaluate.models import AssessmentSettings
from cityloop.notify.services import seed_templates
from cityloop.org.models import Role, Unit, UnitKind
from cityloop.sla.calendar import seed_from_package
from cityloop.sla.models import SlaPolicy, TimeUnit, Urgency
from cityloop.taxonomy.models import Category
from cityloop.taxonomy.services import load_official_taxonomy

CENTER_CODE = "12345"
UTILITY_CATEGORIES = ("自来水供应", "电力供应", "燃气供应", "冬季采暖")

# Beijing practice: emergencies 2 hours, water/power/gas/heating 24 hours, ordinary 7 working
# days, complex 15 working days.
DEFAULT_POLICIES = [
    dict(
        name="一般诉求（7个工作日）",
        priority=0,
        sign_within=2,
        sign_unit=TimeUnit.WORKING_HOURS,
        reply_within=7,
        reply_unit=TimeUnit.WORKING_DAYS,
    ),
    dict(
        name="复杂诉求（15个工作日）",
        priority=10,
        is_complex=True,
        sign_within=2,
        sign_unit=TimeUnit.WORKING_HOURS,
        reply_within=15,
        reply_unit=TimeUnit.WORKING_DAYS,
    ),
    dict(
        name="紧急诉求（2小时）",
        priority=30,
        urgency=Urgency.EMERGENCY,
        sign_within=15,
        sign_unit=TimeUnit.NATURAL_MINUTES,
        reply_within=2,
        reply_unit=TimeUnit.NATURAL_HOURS,
        warn_before_percent=25,
    ),
]

ROLE_PERMISSIONS = {
    Role.ADMIN: ["taxonomy", "dispatch", "sla", "geo", "org", "evaluate", "notify", "webhooks"],
    Role.SUPERVISOR: [],
    Role.ANALYST: [],
    Role.DISPATCHER: [],
    Role.HANDLER: [],
    Role.CALL_TAKER: [],
}


@transaction.atomic
def seed_reference() -> dict[str, int]:
    counts = {"categories": load_official_taxonomy(), "calendar_days": seed_from_package()}
    counts["sla_policies"] = _seed_policies()
    AssessmentSettings.current()
    _seed_groups()
    counts["message_templates"] = seed_templates()
    Unit.objects.get_or_create(
        code=CENTER_CODE, defaults={"name": "12345 市民服务热线", "kind": UnitKind.CENTER}
    )
    return counts


def _seed_policies() -> int:
    if SlaPolicy.objects.exists():
        return 0
    for spec in DEFAULT_POLICIES:
        SlaPolicy.objects.create(**spec)
    utilities = Category.objects.filter(level=3, name__in=UTILITY_CATEGORIES)
    for category in utilities:
        SlaPolicy.objects.create(
            name=f"水电气热（24小时）：{category.name}",
            category=category,
            priority=20,
            sign_within=1,
            sign_unit=TimeUnit.NATURAL_HOURS,
            reply_within=24,
            reply_unit=TimeUnit.NATURAL_HOURS,
        )
    return len(DEFAULT_POLICIES) + utilities.count()


def _seed_groups() -> None:
    for role, apps in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=str(role.label))
        if apps:
            group.permissions.set(Permission.objects.filter(content_type__app_label__in=apps))
