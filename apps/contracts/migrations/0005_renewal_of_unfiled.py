from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0004_termination_filing_due_filled"),
    ]

    operations = [
        migrations.AddField(
            model_name="labourcontract",
            name="renews_unfiled",
            field=models.BooleanField(
                default=False, verbose_name="renews an earlier contract that is not filed"
            ),
        ),
    ]
