"""Forms of the staff and citizen pages. Services validate too; their errors are put next to
the field they name, so a failed submit shows the message where the user typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cityloop.appeals.enums import AppealType
from cityloop.handling.attachments import ACCEPT
from cityloop.intake.services import ADDRESS_TEXT_MAX, CALLER_NAME_MAX
from cityloop.kernel.api_schema import MAX_TEXT
from cityloop.kernel.errors import DomainError
from cityloop.sla.models import Urgency

# Service field names that a form shows under another name.
FIELD_ALIASES = {
    "standard_address": "standard_address_code",
    "category": "category_code",
    "location": "address_text",
}


def show_domain_error(form: forms.Form, error: DomainError) -> None:
    field = str(error.params.get("field") or "")
    field = FIELD_ALIASES.get(field, field)
    form.add_error(field if field in form.fields else None, str(error.message))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


PHONE = forms.RegexField(
    label=_("联系电话"),
    regex=r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$",
    max_length=20,
    error_messages={"invalid": _("请填写 11 位手机号或带区号的固定电话")},
)


# 诉求类型: left empty, intake suggests it from the words (求助 when none fits)
APPEAL_TYPE = forms.ChoiceField(
    label=_("诉求类型"),
    choices=[("", _("自动识别")), *AppealType.choices],
    required=False,
)
# types that are not about a place: no address needed
PLACELESS_TYPES = {AppealType.CONSULTATION, AppealType.SUGGESTION, AppealType.PRAISE}


class CitizenReportForm(forms.Form):
    appeal_type = APPEAL_TYPE
    content = forms.CharField(
        label=_("问题描述"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(
            attrs={"rows": 5, "placeholder": _("请说明什么问题、在哪里、持续多久、希望如何解决")}
        ),
    )
    address_text = forms.CharField(label=_("事发地址"), max_length=ADDRESS_TEXT_MAX, required=False)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    # Asked only when the map point and the typed address disagree (intake.fallback.choose).
    place_by = forms.ChoiceField(
        label=_("以哪个位置为准"),
        choices=[("map", _("以地图选点为准")), ("text", _("以填写的地址为准"))],
        required=False,
        widget=forms.RadioSelect,
    )
    caller_name = forms.CharField(label=_("您的称呼"), max_length=CALLER_NAME_MAX, required=False)
    caller_phone = PHONE
    email = forms.EmailField(
        label=_("电子邮箱（选填）"),
        max_length=254,
        required=False,
    )
    attachments = MultipleFileField(label=_("现场照片"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        placeless = data.get("appeal_type") in PLACELESS_TYPES
        if not placeless and not data.get("address_text") and data.get("lat") is None:
            self.add_error("address_text", _("请填写事发地址，或在地图上点选位置"))
        return data


class IntakeForm(forms.Form):
    """The call-taker's one screen."""

    caller_phone = forms.RegexField(
        label=_("来电号码"),
        regex=r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$",
        max_length=20,
        error_messages={"invalid": _("请填写 11 位手机号或带区号的固定电话")},
    )
    caller_name = forms.CharField(label=_("来电人"), max_length=CALLER_NAME_MAX, required=False)
    appeal_type = APPEAL_TYPE
    email = forms.EmailField(label=_("电子邮箱（选填）"), max_length=254, required=False)
    content = forms.CharField(
        label=_("诉求内容"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 5})
    )
    answer = forms.CharField(
        label=_("当场解答（咨询类：填写后直接办结）"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    address_text = forms.CharField(label=_("事发地址"), max_length=ADDRESS_TEXT_MAX, required=False)
    standard_address_code = forms.CharField(label=_("标准地址"), max_length=40, required=False)
    category_code = forms.CharField(
        label=_("分类"),
        max_length=20,
        required=False,
        widget=forms.TextInput(
            attrs={"list": "categories", "placeholder": _("输入分类名称或编码")}
        ),
    )
    urgent = forms.BooleanField(label=_("紧急（2 小时响应）"), required=False)
    merge_into = forms.CharField(label=_("并入已有工单"), max_length=30, required=False)

    @property
    def urgency(self) -> str:
        return Urgency.EMERGENCY if self.cleaned_data.get("urgent") else Urgency.NORMAL


# 网格员巡查上报: what the phone sends. The place is the device's location, or a map point.
PATROL_CHOICES = [("sent", _("上报派单")), ("on_spot", _("自行处置"))]


def _photos(label: Any) -> MultipleFileField:
    # capture: the phone opens its camera; a desktop browser still offers files
    widget = MultipleFileInput(attrs={"accept": ACCEPT, "capture": "environment"})
    return MultipleFileField(label=label, required=False, widget=widget)


class PatrolForm(forms.Form):
    text = forms.CharField(
        label=_("发现的问题"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("什么问题、在哪个位置")}),
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    location_source = forms.ChoiceField(
        choices=[("device", "device"), ("map", "map")], required=False, widget=forms.HiddenInput
    )
    accuracy_m = forms.FloatField(required=False, widget=forms.HiddenInput)
    before = _photos(_("现场照片（处置前）"))
    way = forms.ChoiceField(
        label=_("处理方式"), choices=PATROL_CHOICES, initial="sent", widget=forms.RadioSelect
    )
    action_taken = forms.CharField(
        label=_("处置情况"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("做了什么，现在怎样")}),
    )
    after = _photos(_("处置后照片"))
