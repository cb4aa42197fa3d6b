"""[POLICY] The platform's default legal-aid deadlines (5 working days to decide, 90 days to
close), in effect from 2000-01-01; the park changes them in the admin from a later date."""

import datetime as dt
import uuid

from django.db import migrations


def add_default(apps, schema_editor):
    Policy = apps.get_model("legalaid", "LegalAidPolicy")
    if not Policy.objects.exists():
        Policy.objects.create(
            id=uuid.uuid4(),
            effective_from=dt.date(2000, 1, 1),
            decision_days=5,
            close_days=90,
            source="工会法律援助办理规定（园区政策，平台默认）",
        )


class Migration(migrations.Migration):
    dependencies = [("legalaid", "0001_initial")]

    operations = [migrations.RunPython(add_default, migrations.RunPython.noop)]
