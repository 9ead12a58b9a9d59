from django.contrib import admin

from cityloop.classify.models import ClassifierModel, Correction, UnderstandingSettings


@admin.register(ClassifierModel)
class ClassifierModelAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at", "method", "n_train", "n_unlabeled", "is_active"]
    exclude = ["payload"]
    readonly_fields = [
        "name",
        "created_at",
        "method",
        "trained_on",
        "n_train",
        "n_unlabeled",
        "label_codes",
        "metrics",
    ]


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = ["appeal", "suggested_code", "corrected_code", "corrected_by", "corrected_at"]
    raw_id_fields = ["appeal"]


@admin.register(UnderstandingSettings)
class UnderstandingSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "auto_dispatch_confidence", "address_match_score"]
