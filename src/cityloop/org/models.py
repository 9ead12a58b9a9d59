"""The units that handle appeals and the staff who work in them."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityloop.geo.models import Area


class UnitKind(models.TextChoices):
    CENTER = "center", _("12345中心")
    DISTRICT_GOVERNMENT = "district_government", _("区政府")
    STREET_OFFICE = "street_office", _("街道办事处/乡镇政府")
    DEPARTMENT = "department", _("职能部门")
    UTILITY = "utility", _("公共服务企业")


class Unit(models.Model):
    """A unit that receives appeals (承办单位). `parent` is the unit that supervises it
    (a street office under its district government), `area` its territory if it has one."""

    code = models.CharField(_("单位编码"), max_length=30, unique=True)
    name = models.CharField(_("单位名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=30, choices=UnitKind.choices, db_index=True)
    area = models.ForeignKey(
        Area, models.PROTECT, null=True, blank=True, related_name="units", verbose_name=_("辖区")
    )
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级单位"),
    )
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("承办单位")
        verbose_name_plural = _("承办单位")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def subtree_ids(self) -> set[int]:
        """This unit and every unit under it (supervisors see their subordinates' appeals)."""
        ids = {self.pk}
        frontier = [self.pk]
        while frontier:
            frontier = list(
                Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            )
            ids.update(frontier)
        return ids


class Role(models.TextChoices):
    CALL_TAKER = "call_taker", _("话务员")
    DISPATCHER = "dispatcher", _("派单员")
    HANDLER = "handler", _("承办人员")
    SUPERVISOR = "supervisor", _("督办人员")
    ANALYST = "analyst", _("分析人员")
    GRID_WORKER = "grid_worker", _("网格员")
    ADMIN = "admin", _("系统管理员")


class StaffProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="staff", verbose_name=_("用户")
    )
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="staff", verbose_name=_("所属单位"))
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")

    def __str__(self) -> str:
        return f"{self.display_name or self.user.get_username()}（{self.unit.name}）"


class ApiToken(models.Model):
    """A bearer token for staff API clients. Only the SHA-256 of the token is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: object, name: str) -> str:
        token = secrets.token_urlsafe(32)
        cls.objects.create(user=user, name=name, digest=cls.digest_of(token))
        return token


class KeyScope(models.TextChoices):
    """What an outside system's key may do."""

    OPEN311_READ = "open311:read", _("Open311 查询诉求")
    OPEN311_WRITE = "open311:write", _("Open311 提交诉求")
    SENSOR_WRITE = "sensor:write", _("物联感知告警上报")
    WEBHOOKS = "webhooks", _("订阅诉求事件推送")


class ApiKey(models.Model):
    """A key for an outside system (an Open311 client, a sensor gateway, a department's own
    system): what it may do (scopes), whose appeals it may see (units; none: the whole city),
    how often (per minute). Only the SHA-256 of the key is stored: it is shown once, when an
    administrator issues it (access.keys)."""

    name = models.CharField(_("名称"), max_length=100)
    organisation = models.CharField(_("使用单位"), max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("密钥前缀"), max_length=12)  # recognises a key in logs
    scopes = models.JSONField(_("权限范围"), default=list)
    units = models.ManyToManyField(
        Unit, blank=True, related_name="+", verbose_name=_("可见单位（空：全市）")
    )
    rate_per_minute = models.PositiveIntegerField(_("每分钟上限"), default=120)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(_("签发时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("外部系统密钥")
        verbose_name_plural = _("外部系统密钥")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ApiKeyUse(models.Model):
    """One request made with a key: every use is logged."""

    key = models.ForeignKey(ApiKey, models.CASCADE, related_name="uses")
    at = models.DateTimeField()
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField()
    ip = models.CharField(max_length=45, blank=True)

    class Meta:
        verbose_name = _("密钥使用记录")
        verbose_name_plural = _("密钥使用记录")
        indexes = [models.Index(fields=["key", "at"])]
