"""办理's reads: the files kept with an appeal, opened only by those who may see the appeal."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cityloop.access.actors import Actor
from cityloop.appeals.scope import access_appeal
from cityloop.handling.models import Attachment
from cityloop.kernel.errors import NotFound


def attachment_for(pk: int, actor: Actor) -> Attachment:
    """An attachment the actor may open: it exists and its appeal is one the actor sees."""
    item = Attachment.objects.select_related("appeal").filter(pk=pk).first()
    if item is None:
        raise NotFound("attachment_not_found", _("请求的内容不存在"))
    access_appeal(item.appeal.tracking_code, actor)
    return item
