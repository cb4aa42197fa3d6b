"""[POLICY] The first version of the risk policy: the default thresholds (apps.risk.rules
DEFAULT_THRESHOLDS) and no weight rows, so every signal kind weighs its module's default
(`SignalKind.weight` per record up to `SignalKind.cap`) until the park sets another."""

import datetime as dt

from django.db import migrations


def create(apps, schema_editor):
    RiskPolicy = apps.get_model("risk", "RiskPolicy")
    if RiskPolicy.objects.exists():
        return
    RiskPolicy.objects.create(
        version=1,
        valid_from=dt.date(2020, 1, 1),
        watch_from=10,
        warning_from=25,
        serious_from=50,
        note="Defaults: each signal kind weighs its module's default (domain guide §9).",
    )


def remove(apps, schema_editor):
    apps.get_model("risk", "RiskPolicy").objects.filter(version=1, created_by=None).delete()


class Migration(migrations.Migration):
    dependencies = [("risk", "0001_watch_list")]

    operations = [migrations.RunPython(create, remove)]
