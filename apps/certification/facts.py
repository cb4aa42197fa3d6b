"""What harmony certification tells the other modules about an enterprise (issue 17,
`apps.core.facts`): the level of its valid title; and the risk signals of every enterprise at once
(a title revoked or lapsed in the last 24 months).
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.facts import Fact, Signal, SignalKind
from apps.core.grouped import for_enterprises, grouped, path_maker

from .models import Certificate
from .selectors import held_certificate

VIEW = "certification.view_certificate"
#: The look-back of the title signals, in months (the rule set's usual veto window).
TITLE_MONTHS = 24
TITLE_SOURCE = gettext_lazy("Harmony certification: certificates")
_NUMBER = "CERTIFICATE-NUMBER"

SIGNAL_KINDS = [
    SignalKind(
        "certification.title_revoked",
        gettext_lazy("Harmony title revoked in the last 24 months"),
        weight=30,
        actor="certification",
        source=TITLE_SOURCE,
        cap=1,
    ),
    SignalKind(
        "certification.title_lapsed",
        gettext_lazy("Harmony title lapsed in the last 24 months, none valid"),
        weight=10,
        actor="certification",
        source=TITLE_SOURCE,
        cap=1,
    ),
]


def enterprise_facts(enterprise, today: dt.date) -> list[Fact]:
    """One query: the valid title of the highest level today."""
    cert = held_certificate(enterprise, today)
    if cert is None:
        return [
            Fact(
                "certification.title",
                _("Harmony title"),
                None,
                _("No valid title"),
                source=str(TITLE_SOURCE),
                as_of=today,
                url=reverse("enterprises:detail", args=[enterprise.pk]) + "#certification",
                permission=VIEW,
            )
        ]
    return [
        Fact(
            "certification.title",
            _("Harmony title"),
            cert.level.code,
            _("%(level)s: certificate %(number)s, valid until %(date)s")
            % {"level": cert.level.name, "number": cert.number, "date": cert.valid_until},
            source=str(TITLE_SOURCE),
            as_of=today,
            url=reverse("certification:certificate", args=[cert.number]),
            permission=VIEW,
        )
    ]


def risk_signals(today: dt.date, enterprise_ids=None):
    """Titles revoked in the last 24 months; titles lapsed in the last 24 months of enterprises
    holding no valid title today: two queries per kind for every enterprise at once."""
    since = today - relativedelta(months=TITLE_MONTHS)
    ended = for_enterprises(
        Certificate.objects.filter(ended_on__gte=since, ended_on__lte=today), "enterprise", enterprise_ids
    )
    url = path_maker("certification:certificate", _NUMBER, placeholder=_NUMBER)
    revoked = ended.filter(status=Certificate.Status.REVOKED)
    for ent, n, last, row in grouped(revoked, "enterprise", "ended_on", ["number"]):
        yield Signal(
            ent,
            "certification.title_revoked",
            n,
            last,
            detail=_("Title %(number)s revoked on %(date)s") % {"number": row["number"], "date": last},
            ref_type="certification.certificate",
            ref_id=str(row["pk"]),
            url=url(row["number"]),
            permission=VIEW,
        )
    lapsed = ended.filter(status=Certificate.Status.LAPSED).exclude(
        enterprise__in=Certificate.objects.valid_on(today).values("enterprise")
    )
    for ent, n, last, row in grouped(lapsed, "enterprise", "ended_on", ["number"]):
        yield Signal(
            ent,
            "certification.title_lapsed",
            n,
            last,
            detail=_("Title %(number)s lapsed on %(date)s, no valid title")
            % {"number": row["number"], "date": last},
            ref_type="certification.certificate",
            ref_id=str(row["pk"]),
            url=url(row["number"]),
            permission=VIEW,
        )
