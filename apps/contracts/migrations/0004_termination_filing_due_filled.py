"""Fill `termination_filing_due` of the contracts terminated before it was stored: the working days
of the policy in effect on the termination day after it (as rules.termination_filing computes it
for new terminations). One UPDATE per 500 distinct termination days."""

from django.db import migrations
from django.db.models import Case, DateField, Value, When

from apps.core.calendar import add_working_days

#: The default when no policy row is in effect (rules.TERMINATION_FILING_DAYS).
DEFAULT_DAYS = 7


def fill(apps, schema_editor):
    LabourContract = apps.get_model("contracts", "LabourContract")
    ContractPolicy = apps.get_model("contracts", "ContractPolicy")
    CalendarOverride = apps.get_model("core", "CalendarOverride")
    db = schema_editor.connection.alias
    policies = list(ContractPolicy.objects.using(db).order_by("-effective_from"))
    overrides = dict(CalendarOverride.objects.using(db).values_list("date", "is_working_day"))
    days = (
        LabourContract.objects.using(db)
        .filter(terminated_on__isnull=False, termination_filing_due__isnull=True)
        .values_list("terminated_on", flat=True)
        .distinct()
    )
    dues = {}
    for day in list(days):
        policy = next((p for p in policies if p.effective_from <= day), None)
        n = policy.termination_filing_days if policy is not None else DEFAULT_DAYS
        dues[day] = add_working_days(day, n, overrides=overrides).date
    items = sorted(dues.items())
    for i in range(0, len(items), 500):
        chunk = items[i : i + 500]
        LabourContract.objects.using(db).filter(
            terminated_on__in=[day for day, _ in chunk], termination_filing_due__isnull=True
        ).update(
            termination_filing_due=Case(
                *(When(terminated_on=day, then=Value(due)) for day, due in chunk), output_field=DateField()
            )
        )


class Migration(migrations.Migration):
    dependencies = [("contracts", "0003_district_scale"), ("core", "0001_initial")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
