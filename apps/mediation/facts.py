"""What labour-dispute mediation tells the other modules about an enterprise (issue 17,
`apps.core.facts`): the disputes against it, the collective ones and the mass incidents in the
look-back; the risk signals of every enterprise at once; and the veto candidates certification
turns into proposed veto events (a collective dispute marked as a mass incident).

A dispute "against" an enterprise is a case whose respondent is the enterprise in the registry,
whatever its status (a case not accepted is still a dispute the enterprise had).
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apps.core.facts import Fact, Signal, SignalKind
from apps.core.grouped import PLACEHOLDER, for_enterprises, grouped, path_maker

from . import rules
from .models import Case

VIEW = "mediation.view_case"
#: The look-back of the facts (the certification rule set's veto and dispute window).
FACT_MONTHS = 24
#: The look-back of the dispute signals.
SIGNAL_MONTHS = 12
#: A mass incident weighs on the risk score for longer (the veto look-back).
MASS_INCIDENT_MONTHS = 24
DISPUTE_SOURCE = rules.DISPUTE_TYPE_SOURCE
MASS_INCIDENT_SOURCE = rules.MASS_INCIDENT_SOURCE
#: The certification veto catalogue's code (certification.default_rules.VETOES).
VETO_MASS_INCIDENT = "mass_incident"

SIGNAL_KINDS = [
    SignalKind(
        "mediation.dispute",
        gettext_lazy("Labour disputes in the last 12 months"),
        weight=5,
        actor="town",
        source=DISPUTE_SOURCE,
        cap=4,
    ),
    SignalKind(
        "mediation.collective_dispute",
        gettext_lazy("Collective disputes in the last 12 months"),
        weight=15,
        actor="union",
        source=rules.COLLECTIVE_SOURCE,
        cap=2,
    ),
    SignalKind(
        "mediation.mass_incident",
        gettext_lazy("Mass incident arising from a labour dispute"),
        weight=40,
        actor="town",
        source=MASS_INCIDENT_SOURCE,
        cap=1,
    ),
]


def enterprise_facts(enterprise, today: dt.date) -> list[Fact]:
    """One query: the disputes, collective disputes and mass incidents of the 24-month look-back."""
    since = today - relativedelta(months=FACT_MONTHS)
    counts = Case.objects.filter(
        respondent_enterprise=enterprise, received_on__gte=since, received_on__lte=today
    ).aggregate(
        disputes=Count("pk"),
        collective=Count("pk", filter=Q(is_collective=True)),
        mass=Count("pk", filter=Q(mass_incident_on__isnull=False)),
    )
    url = reverse("enterprises:detail", args=[enterprise.pk]) + "#disputes"
    window = {"since": since}
    return [
        Fact(
            "mediation.disputes",
            _("Labour disputes (24 months)"),
            counts["disputes"],
            ngettext(
                "%(n)d dispute case against the enterprise since %(since)s",
                "%(n)d dispute cases against the enterprise since %(since)s",
                counts["disputes"],
            )
            % {"n": counts["disputes"], **window},
            source=_("Mediation cases (%(source)s)") % {"source": DISPUTE_SOURCE},
            as_of=today,
            url=url,
            permission=VIEW,
        ),
        Fact(
            "mediation.collective_disputes",
            _("Collective disputes (24 months)"),
            counts["collective"],
            ngettext(
                "%(n)d collective dispute since %(since)s",
                "%(n)d collective disputes since %(since)s",
                counts["collective"],
            )
            % {"n": counts["collective"], **window},
            source=_("Mediation cases (%(source)s)") % {"source": rules.COLLECTIVE_SOURCE},
            as_of=today,
            url=url,
            permission=VIEW,
        ),
        Fact(
            "mediation.mass_incidents",
            _("Mass incidents (24 months)"),
            counts["mass"],
            ngettext(
                "%(n)d collective dispute marked as a mass incident since %(since)s",
                "%(n)d collective disputes marked as a mass incident since %(since)s",
                counts["mass"],
            )
            % {"n": counts["mass"], **window},
            source=MASS_INCIDENT_SOURCE,
            as_of=today,
            url=url,
            permission=VIEW,
        ),
    ]


def risk_signals(today: dt.date, enterprise_ids=None):
    """Disputes and collective disputes received in the last 12 months, mass incidents in the last
    24: two queries per kind for every enterprise at once (the respondent index)."""
    cases = for_enterprises(Case.objects.all(), "respondent_enterprise", enterprise_ids)
    detail_url = path_maker("mediation:detail", PLACEHOLDER)
    since = today - relativedelta(months=SIGNAL_MONTHS)
    recent = cases.filter(received_on__gte=since, received_on__lte=today)
    for code, qs, text in (
        (
            "mediation.dispute",
            recent,
            lambda n: ngettext(
                "%(n)d labour dispute in the last 12 months", "%(n)d labour disputes in the last 12 months", n
            ),
        ),
        (
            "mediation.collective_dispute",
            recent.filter(is_collective=True),
            lambda n: ngettext(
                "%(n)d collective dispute in the last 12 months",
                "%(n)d collective disputes in the last 12 months",
                n,
            ),
        ),
    ):
        for ent, n, last, row in grouped(qs, "respondent_enterprise", "received_on", ["serial"]):
            yield Signal(
                ent,
                code,
                n,
                last,
                detail=text(n) % {"n": n},
                ref_type="mediation.case",
                ref_id=str(row["pk"]),
                url=detail_url(row["pk"]),
                permission=VIEW,
                extra={"serial": row["serial"]},
            )
    mass = cases.filter(
        mass_incident_on__gte=today - relativedelta(months=MASS_INCIDENT_MONTHS), mass_incident_on__lte=today
    )
    for ent, n, last, row in grouped(mass, "respondent_enterprise", "mass_incident_on", ["serial"]):
        yield Signal(
            ent,
            "mediation.mass_incident",
            n,
            last,
            detail=_("Mass incident on %(date)s (case %(serial)s)") % {"date": last, "serial": row["serial"]},
            ref_type="mediation.case",
            ref_id=str(row["pk"]),
            url=detail_url(row["pk"]),
            permission=VIEW,
            extra={"serial": row["serial"]},
        )


def veto_candidates(enterprise_ids=None, since=None):
    """Collective disputes marked as a mass incident (on or after `since`), for certification to
    propose as veto events ("mass_incident"): one query. A case whose respondent is not in the
    registry names no enterprise and is left out."""
    qs = for_enterprises(
        Case.objects.filter(mass_incident_on__isnull=False, respondent_enterprise__isnull=False),
        "respondent_enterprise",
        enterprise_ids,
    )
    if since is not None:
        qs = qs.filter(mass_incident_on__gte=since)
    for pk, ent, on, serial in qs.order_by("mass_incident_on", "serial").values_list(
        "pk", "respondent_enterprise", "mass_incident_on", "serial"
    ):
        yield {
            "enterprise_id": ent,
            "kind": VETO_MASS_INCIDENT,
            "occurred_on": on,
            "source": _("Mediation case %(serial)s: mass incident arising from a collective dispute")
            % {"serial": serial},
            "origin": "mediation",
            "object_type": "mediation.case",
            "object_id": str(pk),
        }
