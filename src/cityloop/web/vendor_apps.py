"""The third-party apps under names the admin shows in the staff's language: django-q2's
job queue (its app name is the setting's label, "Django Q", not a translated string) and
django-axes' login records ("Axes"). Listed in INSTALLED_APPS in their place."""

from __future__ import annotations

from axes.apps import AppConfig as AxesConfig
from django.utils.translation import gettext_lazy as _
from django_q.apps import DjangoQConfig


class JobQueueConfig(DjangoQConfig):
    verbose_name = _("后台任务队列")


class LoginLockConfig(AxesConfig):
    verbose_name = _("登录锁定")
