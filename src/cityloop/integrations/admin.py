"""The keys of outside systems in the admin site: an administrator issues a key (the raw key
is shown once, by access.keys.issue_key) and revokes it; the use log is read only. Here and
not in org/admin.py: org is base data and may not import access."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cityloop.access.actors import Actor
from cityloop.access.keys import issue_key, revoke_key
from cityloop.kernel.errors import DomainError
from cityloop.org.models import ApiKey, ApiKeyUse, KeyScope, Role, Unit


class ApiKeyIssueForm(forms.ModelForm):
    """What an administrator chooses for a new key; the key itself is drawn by
    access.keys.issue_key and shown once."""

    key_scopes = forms.MultipleChoiceField(
        label=_("权限范围"), choices=KeyScope.choices, widget=forms.CheckboxSelectMultiple
    )
    key_units = forms.ModelMultipleChoiceField(
        label=_("可见单位（空：全市）"),
        queryset=Unit.objects.filter(is_active=True).order_by("code"),
        required=False,
    )
    rate_per_minute = forms.IntegerField(
        label=_("每分钟上限"), min_value=1, max_value=100_000, initial=120
    )

    class Meta:
        model = ApiKey
        fields = ["name", "organisation", "rate_per_minute"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are issued (add) and revoked (the action), never edited or deleted: what a key
    could do stays on record with its use log."""

    list_display = [
        "name", "organisation", "prefix", "scope_list", "rate_per_minute",
        "issued_at", "last_used_at", "revoked_at",
    ]  # fmt: skip
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "organisation", "prefix"]
    readonly_fields = [
        "name", "organisation", "prefix", "scope_list", "unit_list", "rate_per_minute",
        "issued_by", "issued_at", "revoked_by", "revoked_at", "last_used_at",
    ]  # fmt: skip
    actions = ["revoke"]

    @admin.display(description=_("权限范围"))
    def scope_list(self, key: ApiKey) -> str:
        labels = dict(KeyScope.choices)
        return "、".join(str(labels.get(scope, scope)) for scope in key.scopes)

    @admin.display(description=_("可见单位（空：全市）"))
    def unit_list(self, key: ApiKey) -> str:
        return "、".join(unit.name for unit in key.units.all()) or str(_("全市"))

    def _is_admin(self, request: HttpRequest) -> bool:
        try:
            return Actor.from_user(request.user).role == Role.ADMIN
        except DomainError:
            return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_admin(request)

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return self._is_admin(request)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = ApiKeyIssueForm
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["name", "organisation", "key_scopes", "key_units", "rate_per_minute"]
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        key, raw = issue_key(
            actor=Actor.from_user(request.user),
            name=form.cleaned_data["name"],
            organisation=form.cleaned_data["organisation"],
            scopes=form.cleaned_data["key_scopes"],
            units=form.cleaned_data["key_units"],
            rate_per_minute=form.cleaned_data["rate_per_minute"],
        )
        obj.pk, obj.prefix, obj.issued_at = key.pk, key.prefix, key.issued_at
        obj._state.adding = False
        messages.warning(
            request,
            format_html(
                "{}<br><code class='api-key-raw'>{}</code>",
                _("新密钥只显示这一次，请立即复制并交给对方系统，之后无法再查看："),
                raw,
            ),
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The units were set by issue_key, with the key."""

    @admin.action(description=_("吊销所选密钥"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        actor = Actor.from_user(request.user)
        for key in queryset:
            revoke_key(key.pk, actor=actor)
        self.message_user(request, _("已吊销 %(count)s 个密钥") % {"count": queryset.count()})


@admin.register(ApiKeyUse)
class ApiKeyUseAdmin(admin.ModelAdmin):
    """The use log: read only."""

    list_display = ["at", "key", "method", "path", "status", "ip"]
    list_filter = ["status", "method"]
    search_fields = ["key__name", "key__prefix", "path", "ip"]
    list_select_related = ["key"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
