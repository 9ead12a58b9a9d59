"""Calendar rows copied from the chinese_calendar package before the names were translated
carry its English holiday names ("Spring Festival"); give them their Chinese names. The
names are frozen here, as a migration's data must be."""

from django.db import migrations

NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def to_chinese(apps, schema_editor):
    day = apps.get_model("sla", "WorkCalendarDay")
    for english, chinese in NAMES.items():
        day.objects.filter(name=english).update(name=chinese)


def to_english(apps, schema_editor):
    day = apps.get_model("sla", "WorkCalendarDay")
    for english, chinese in NAMES.items():
        day.objects.filter(name=chinese, source="package").update(name=english)


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(to_chinese, to_english)]
