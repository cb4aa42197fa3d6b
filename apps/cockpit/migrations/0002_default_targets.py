"""The cockpit's default targets ([POLICY]; the park changes them in the admin from a date)."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

DEFAULTS = [
    # 劳动合同法 第十条、第八十二条: every worker has a written contract; the park's plan aims at 95 %.
    ("contracts.signing_rate", Decimal("95"), "劳动合同法第十条、第八十二条；园区创建方案目标 95%"),
    # 人社部发〔2017〕26号: 调解成功率 60% 以上.
    ("mediation.success_rate", Decimal("60"), "人社部发〔2017〕26号：调解成功率60%以上"),
    # 劳动争议调解仲裁法 第十四条: an agreement within 15 days of acceptance.
    ("mediation.days_to_close", Decimal("15"), "劳动争议调解仲裁法第十四条（十五日）"),
    ("mediation.overdue", Decimal("0"), "劳动争议调解仲裁法第十四条；园区创建方案"),
]


def add(apps, schema_editor):
    Target = apps.get_model("cockpit", "Target")
    for code, value, source in DEFAULTS:
        Target.objects.get_or_create(
            code=code, valid_from=dt.date(2020, 1, 1), defaults={"value": value, "source": source}
        )


class Migration(migrations.Migration):
    dependencies = [("cockpit", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
