"""The default rule set of the domain guide §4 (levels A/AA/AAA at 80/85/90, 12 months between
levels, 10 employees, the six vetoes with a 24-month look-back, the scoring form totalling 100,
the 2/3 group ratio, 15 days of disclosure, 5 working days of public notice)."""

from django.conf import settings
from django.db import migrations

from apps.certification.default_rules import create_default


def forwards(apps, schema_editor):
    RuleSet = apps.get_model("certification", "RuleSet")
    if RuleSet.objects.exists():
        return
    create_default(
        RuleSet,
        apps.get_model("certification", "Level"),
        apps.get_model("certification", "VetoRule"),
        apps.get_model("certification", "Category"),
        apps.get_model("certification", "Item"),
        region=settings.PARK_NAME,
        year=2026,
    )


class Migration(migrations.Migration):
    dependencies = [("certification", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
