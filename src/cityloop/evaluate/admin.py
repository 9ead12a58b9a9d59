from django.contrib import admin

from cityloop.evaluate.models import AssessmentExclusion, AssessmentSettings


@admin.register(AssessmentSettings)
class AssessmentSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "basically_satisfied_weight",
        "response_weight",
        "resolution_weight",
        "satisfaction_weight",
        "min_callbacks",
        "issuing_body",
    ]


@admin.register(AssessmentExclusion)
class AssessmentExclusionAdmin(admin.ModelAdmin):
    list_display = ["appeal", "status", "requested_at", "decided_at"]
    list_filter = ["status"]
    raw_id_fields = ["appeal"]
    readonly_fields = [
        "appeal",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "status",
    ]
