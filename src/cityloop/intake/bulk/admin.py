"""The administrator reads the imports: each file's batch, and each row's appeal or the
reason it was rejected. Read-only: an import is changed only by running it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cityloop.intake.bulk.models import ImportBatch, ImportedRow


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnly):
    list_display = ["file_name", "rows_total", "imported", "rejected", "started_at", "finished_at"]
    search_fields = ["file_name", "file_sha256"]


@admin.register(ImportedRow)
class ImportedRowAdmin(ReadOnly):
    list_display = ["batch", "row_number", "external_id", "appeal", "reason"]
    list_filter = ["batch"]
    list_select_related = ["batch", "appeal"]
    search_fields = ["external_id", "appeal__tracking_code"]
