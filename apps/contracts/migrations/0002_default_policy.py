"""The default [POLICY]: Guangxi's class-1 minimum wage (Liuzhou's urban districts) and the
7-working-day termination filing. The park updates the figures in the admin when the region
publishes new ones; a new row with its own date keeps the old figures for older contracts."""

import datetime as dt
from decimal import Decimal

from django.db import migrations


def create(apps, schema_editor):
    ContractPolicy = apps.get_model("contracts", "ContractPolicy")
    ContractPolicy.objects.get_or_create(
        effective_from=dt.date(2022, 4, 1),
        defaults={
            "monthly_minimum_wage": Decimal("1990.00"),
            "hourly_minimum_wage": Decimal("20.10"),
            "termination_filing_days": 7,
            "source": "广西壮族自治区最低工资标准（一类地区，2022年4月1日起）；请按现行标准更新",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
