"""Issue 18, items 3 and 4: the trade union that runs a mediation organisation, and structured
re-employment referrals (kind of service, provider, follow-up). Existing referrals become kind
"other" with their free text as the provider."""

import django.db.models.deletion
from django.db import migrations, models


def free_text_to_provider(apps, schema_editor):
    Referral = apps.get_model("mediation", "Referral")
    for referral in Referral.objects.all().only("pk", "service").iterator():
        Referral.objects.filter(pk=referral.pk).update(kind="other", provider=(referral.service or "")[:200])


def provider_to_free_text(apps, schema_editor):
    Referral = apps.get_model("mediation", "Referral")
    for referral in Referral.objects.all().only("pk", "kind", "provider").iterator():
        Referral.objects.filter(pk=referral.pk).update(service=referral.provider[:200])


class Migration(migrations.Migration):
    dependencies = [
        ("mediation", "0002_district_scale"),
        ("unions", "0003_list_order"),
    ]

    operations = [
        migrations.AddField(
            model_name="mediationorganisation",
            name="union",
            field=models.ForeignKey(
                blank=True,
                help_text="The union that runs the organisation (an enterprise committee: the enterprise's union; a regional one: the federation). Its officials see and work the organisation's cases like its mediators.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="mediation_organisations",
                to="unions.union",
                verbose_name="run by the trade union",
            ),
        ),
        migrations.AddField(
            model_name="referral",
            name="kind",
            field=models.CharField(
                choices=[
                    ("job_matching", "Job matching"),
                    ("training", "Vocational training"),
                    ("unemployment_insurance", "Unemployment insurance"),
                    ("start_up", "Start-up support"),
                    ("other", "Other"),
                ],
                db_index=True,
                default="other",
                max_length=30,
                verbose_name="kind of service",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="referral",
            name="provider",
            field=models.CharField(
                default="",
                help_text="Who provides the service: e.g. the town's public employment service centre, a training school.",
                max_length=200,
                verbose_name="provider",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="referral",
            name="follow_up_on",
            field=models.DateField(blank=True, null=True, verbose_name="follow up on"),
        ),
        migrations.AddField(
            model_name="referral",
            name="follow_up_note",
            field=models.CharField(blank=True, max_length=300, verbose_name="follow-up note"),
        ),
        migrations.RunPython(free_text_to_provider, provider_to_free_text),
        migrations.RemoveField(model_name="referral", name="service"),
        migrations.AlterField(
            model_name="referral",
            name="result",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("employed", "Found a job"),
                    ("training", "Entered training"),
                    ("declined", "Declined"),
                    ("no_result", "No result"),
                ],
                db_index=True,
                default="pending",
                max_length=20,
                verbose_name="outcome",
            ),
        ),
        migrations.AlterField(
            model_name="referral",
            name="result_on",
            field=models.DateField(blank=True, null=True, verbose_name="outcome on"),
        ),
    ]
