from django.contrib import admin

from cityloop.intake.patrol.models import PatrolAssignment, PatrolReport


@admin.register(PatrolAssignment)
class PatrolAssignmentAdmin(admin.ModelAdmin):
    list_display = ["worker", "grid", "since"]
    raw_id_fields = ["worker", "grid"]
    readonly_fields = ["since"]


@admin.register(PatrolReport)
class PatrolReportAdmin(admin.ModelAdmin):
    list_display = ["appeal", "worker_name", "found_at", "handled_on_spot"]
    list_filter = ["handled_on_spot"]
    readonly_fields = [f.name for f in PatrolReport._meta.fields]
