"""The default [POLICY]: the park-wide monthly income per head under which a worker's household is
in difficulty. The park updates the figure in the admin (Hardship thresholds) when the local
standard changes; a new row with its own date keeps the old figure for older assessments, and a
row for a town wins over the park's."""

import datetime as dt
from decimal import Decimal

from django.db import migrations


def create(apps, schema_editor):
    PovertyThreshold = apps.get_model("assistance", "PovertyThreshold")
    PovertyThreshold.objects.get_or_create(
        effective_from=dt.date(2020, 1, 1),
        area=None,
        defaults={
            "monthly_income_per_head": Decimal("1000.00"),
            "source": "全国总工会《关于加强困难职工帮扶工作的意见》；园区帮扶政策（默认值，请按当地现行标准更新）",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("assistance", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
