"""The default mapping of scoring items to platform facts (issue 17; default_rules.ITEM_FACTS),
applied to every existing rule set whose item codes match the default form and whose items have
no mapping yet. The mapping is review help only (what the platform shows beside a self-score): it
changes no score, cut-off or veto, so rule sets in use receive it too."""

from django.db import migrations

from apps.certification.default_rules import apply_default_facts


def forwards(apps, schema_editor):
    apply_default_facts(apps.get_model("certification", "Item"))


def backwards(apps, schema_editor):
    apps.get_model("certification", "Item").objects.update(fact_code="", fact_test="", fact_threshold=None)


class Migration(migrations.Migration):
    dependencies = [("certification", "0005_item_facts_and_veto_status")]

    operations = [migrations.RunPython(forwards, backwards)]
