from django.contrib import admin

from cityloop.taxonomy.models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "path", "level", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name", "path"]
    raw_id_fields = ["parent"]
