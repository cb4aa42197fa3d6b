"""Issue 15, district intake: the 12345 hotline channel, the API client that sent a case (a client
with only `mediation:intake` reads the cases it sent), one case per (channel, sender's reference),
the index of the intake client's list and the index of incremental sync (`updated_at`, `id`).

Cases registered twice with the same channel and reference before this migration (a district
system sending a referral again created a second case) keep their rows: the first one registered
keeps the reference, each later one gets its own serial appended (`<reference> #<serial>`, cut to
the column's 60 characters), so the constraint can be created and no case is lost. The migration
prints how many it renamed."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count


def keep_the_first_of_each_reference(apps, schema_editor):
    Case = apps.get_model("mediation", "Case")
    duplicated = (
        Case.objects.exclude(source_reference="")
        .values("channel", "source_reference")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by()
    )
    renamed = 0
    for group in duplicated.iterator():
        rows = Case.objects.filter(channel=group["channel"], source_reference=group["source_reference"])
        for case in rows.order_by("created_at", "serial")[1:]:
            suffix = f" #{case.serial}"
            reference = case.source_reference[: 60 - len(suffix)] + suffix
            Case.objects.filter(pk=case.pk).update(source_reference=reference)
            renamed += 1
    if renamed:
        print(f"\n  mediation: {renamed} cases sent again with the same channel and reference renamed")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("mediation", "0003_union_run_and_referrals"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="created_by_client",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="accounts.apiclient",
                verbose_name="sent by the district system",
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="channel",
            field=models.CharField(
                choices=[
                    ("online", "Online application"),
                    ("walk_in", "Walk-in"),
                    ("phone", "Phone"),
                    ("court", "Entrusted by a court"),
                    ("inspection", "Transferred from labour inspection"),
                    ("hotline", "12345 hotline referral"),
                ],
                default="online",
                max_length=20,
                verbose_name="channel",
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="source_reference",
            field=models.CharField(
                blank=True,
                help_text="The court's entrustment number, the inspection case number or the 12345 "
                "hotline's work-order number. One case per channel and reference: sending it again "
                "finds this case.",
                max_length=60,
                verbose_name="reference of the sender",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("created_by_client__isnull", False)),
                fields=["created_by_client", "-is_collective", "-deadline_rank", "-received_on", "-serial", "-id"],
                name="case_client_order",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["updated_at", "id"], name="mediation_case_updated_idx"),
        ),
        migrations.RunPython(keep_the_first_of_each_reference, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.UniqueConstraint(
                condition=models.Q(("source_reference", ""), _negated=True),
                fields=("source_reference", "channel"),
                name="uniq_case_channel_reference",
            ),
        ),
    ]
