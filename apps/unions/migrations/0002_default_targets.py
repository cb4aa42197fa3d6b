from decimal import Decimal

from django.db import migrations


def add_default(apps, schema_editor):
    UnionTarget = apps.get_model("unions", "UnionTarget")
    UnionTarget.objects.get_or_create(
        from_year=2022,
        defaults={
            "coverage": Decimal("92.00"),
            "membership_rate": Decimal("85.00"),
            "note": "默认目标（园区创建方案）/ default targets of the park plan",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("unions", "0001_initial")]
    operations = [migrations.RunPython(add_default, migrations.RunPython.noop)]
