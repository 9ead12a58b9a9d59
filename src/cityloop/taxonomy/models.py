"""The three-level appeal category taxonomy (一级 › 二级 › 三级分类)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityloop.kernel.cache import config_cache, forget_on_change


class Category(models.Model):
    code = models.CharField(_("分类编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    level = models.PositiveSmallIntegerField(_("层级"))
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级"),
    )
    path = models.CharField(_("完整路径"), max_length=200, unique=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("诉求分类")
        verbose_name_plural = _("诉求分类")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.path

    def lineage_ids(self) -> list[int]:
        """This category and its ancestors, most specific first (rules match on any of them)."""
        parents = category_parents()
        ids = [self.pk]
        parent_id = self.parent_id
        while parent_id is not None:
            ids.append(parent_id)
            parent_id = parents.get(parent_id)
        return ids


@config_cache
def category_parents() -> dict[int, int | None]:
    return dict(Category.objects.values_list("pk", "parent_id"))


@config_cache
def category_paths() -> dict[str, str]:
    """code → full path of every category (read on every intake: cached per process)."""
    return dict(Category.objects.values_list("code", "path"))


@config_cache
def category_by_code(code: str) -> Category | None:
    """The active category with this code (read on every intake: cached per process)."""
    return Category.objects.filter(code=code, is_active=True).first()


forget_on_change(Category)
