# The case lists sorted by urgency (issue 20): the next deadline leads (overdue first, decided cases
# last), collective disputes first among equal deadlines. The indexes that serve the lists in their
# order (Case.LIST_ORDER) are rebuilt in the new order, under the same names (the old order led with
# "-is_collective", so an archived collective case sat above every overdue open one).

from django.db import migrations, models

NEW = ["-deadline_rank", "-is_collective", "-received_on", "-serial", "-id"]
OPEN = models.Q(("status__in", ["received", "in_mediation"]))
BY_CLIENT = models.Q(("created_by_client__isnull", False))

#: (name, leading columns, condition) of each index in the list's order.
INDEXES = [
    ("case_order", [], None),
    ("case_status_order", ["status"], None),
    ("case_org_order", ["organisation"], None),
    ("case_mediator_order", ["mediator"], None),
    ("case_open_order", [], OPEN),
    ("case_client_order", ["created_by_client"], BY_CLIENT),
]


def _index(name, lead, condition, order):
    kwargs = {"condition": condition} if condition is not None else {}
    return models.Index(fields=[*lead, *order], name=name, **kwargs)


class Migration(migrations.Migration):
    dependencies = [
        ("mediation", "0005_mass_incident"),
    ]

    operations = [
        *(migrations.RemoveIndex(model_name="case", name=name) for name, _lead, _condition in INDEXES),
        *(
            migrations.AddIndex(model_name="case", index=_index(name, lead, condition, NEW))
            for name, lead, condition in INDEXES
        ),
        # A label in English only (issue 20: "Payment order (支付令)" mixed two languages).
        migrations.AlterField(
            model_name="followup",
            name="kind",
            field=models.CharField(
                choices=[
                    (
                        "arbitration_confirmation",
                        "Joint request for confirmation by the arbitration commission",
                    ),
                    ("judicial_confirmation", "Judicial confirmation by a court"),
                    ("payment_order", "Payment order"),
                ],
                max_length=30,
                verbose_name="kind",
            ),
        ),
    ]
