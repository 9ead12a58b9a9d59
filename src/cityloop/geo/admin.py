from django.contrib import admin

from cityloop.geo.models import Area, StandardAddress


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


@admin.register(StandardAddress)
class StandardAddressAdmin(admin.ModelAdmin):
    list_display = ["code", "full_text", "landmark", "grid"]
    search_fields = ["code", "full_text", "landmark"]
    raw_id_fields = ["grid"]
