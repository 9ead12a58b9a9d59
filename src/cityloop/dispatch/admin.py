from django.contrib import admin

from cityloop.dispatch.models import ResponsibilityRule


@admin.register(ResponsibilityRule)
class ResponsibilityRuleAdmin(admin.ModelAdmin):
    list_display = ["reason", "category", "area", "target", "unit", "priority", "is_active"]
    list_filter = ["target", "is_active"]
    search_fields = ["reason", "unit__name", "category__path"]
    raw_id_fields = ["category", "area", "unit"]
