"""[POLICY] defaults: the departments that answer enterprise appeals and the answer periods per
kind (working days), in effect from 2020-01-01; the park changes them in the admin."""

import datetime as dt

from django.db import migrations

DEPARTMENTS = [
    # (name, usual kinds)
    ("园区企业服务中心", ["policy", "other"]),
    ("区人社局就业科", ["hiring", "training"]),
    ("区人社局劳动关系科", ["dispute"]),
    ("区总工会", ["dispute", "other"]),
    ("区人社局职业能力建设科", ["training"]),
]
DEADLINES = {"hiring": 5, "training": 10, "policy": 5, "dispute": 3, "other": 10}
SOURCE = "园区企业诉求办理规定（默认值）"
FROM = dt.date(2020, 1, 1)


def forwards(apps, schema_editor):
    Department = apps.get_model("appeals", "Department")
    AppealDeadline = apps.get_model("appeals", "AppealDeadline")
    for position, (name, kinds) in enumerate(DEPARTMENTS):
        Department.objects.get_or_create(name=name, defaults={"kinds": kinds, "position": position})
    for kind, days in DEADLINES.items():
        AppealDeadline.objects.get_or_create(
            kind=kind, effective_from=FROM, defaults={"working_days": days, "source": SOURCE}
        )


def backwards(apps, schema_editor):
    apps.get_model("appeals", "AppealDeadline").objects.filter(effective_from=FROM, source=SOURCE).delete()
    apps.get_model("appeals", "Department").objects.filter(
        name__in=[n for n, _k in DEPARTMENTS], appeals__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_appeals")]

    operations = [migrations.RunPython(forwards, backwards)]
