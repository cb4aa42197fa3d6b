"""What the contract book tells the other modules about an enterprise (issue 17, `apps.core.facts`):
the signing rate, workers and contracts in force, workers without a written contract after one
month; and the risk signals of every enterprise at once (workers without a written contract,
contracts expiring soon).

The figures are the book's own lists (`filters.in_force`, `filters.without_contract`), so a fact,
the book's figure and the list behind it never count differently.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Case, Count, F, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apps.core.cache import cached_figures
from apps.core.facts import Fact, Signal, SignalKind
from apps.core.grouped import PLACEHOLDER, for_enterprises, grouped, path_maker
from apps.core.principal import SYSTEM

from .filters import expiring, in_force, without_contract
from .models import LabourContract
from .selectors import book_topic

VIEW = "contracts.view_labourcontract"
WITHOUT_CONTRACT_SOURCE = "劳动合同法第十条、第八十二条"
SIGNING_SOURCE = gettext_lazy("Labour contract book: contracts in force / registry employees")
#: The window of the "expiring" signal, in days (the book's first expiry window).
EXPIRING_DAYS = 30
EXPIRING_SOURCE = "劳动合同法第四十四条、第四十六条"

SIGNAL_KINDS = [
    SignalKind(
        "contracts.without_contract",
        gettext_lazy("Workers without a written contract after one month"),
        weight=5,
        actor="town",
        source=WITHOUT_CONTRACT_SOURCE,
        cap=6,
    ),
    SignalKind(
        "contracts.expiring",
        gettext_lazy("Contracts expiring within 30 days"),
        weight=1,
        actor="town",
        source=EXPIRING_SOURCE,
        cap=10,
    ),
]


def _figures(enterprise, today: dt.date) -> dict:
    """Two queries (three on SQLite): contracts and workers in force, contracts without a written
    contract after one month; kept until the enterprise's contracts change (the book's topic)."""

    def compute():
        qs = LabourContract.objects.visible_to(SYSTEM).filter(enterprise=enterprise)
        totals = in_force(qs, today).aggregate(n=Count("pk"), workers=Count("worker", distinct=True))
        return {
            "in_force": totals["n"],
            "workers_in_force": totals["workers"],
            "without_contract": without_contract(qs, today).count(),
        }

    return cached_figures(
        f"contracts:facts:{enterprise.pk}:{today:%Y%m%d}", [book_topic(enterprise.pk)], compute
    )


def signing_rate(workers: int, employees: int) -> Decimal | None:
    """Workers with a contract in force / registry employees, in percent with one decimal (as the
    book shows it, `selectors._book_figures`); None without an employee count."""
    if not employees:
        return None
    return Decimal(str(round(100 * workers / employees, 1)))


def enterprise_facts(enterprise, today: dt.date) -> list[Fact]:
    figures = _figures(enterprise, today)
    employees = enterprise.employees or 0
    rate = signing_rate(figures["workers_in_force"], employees)
    in_force_url = path_maker("contracts:book_list", PLACEHOLDER, "in_force")(enterprise.pk)
    without_url = path_maker("contracts:book_list", PLACEHOLDER, "without_contract")(enterprise.pk)
    workers, contracts, missing = (
        figures["workers_in_force"],
        figures["in_force"],
        figures["without_contract"],
    )
    if rate is None:
        rate_display = _(
            "Not known: the registry has no employee count (%(workers)s workers with a contract in force)"
        ) % {"workers": f"{workers:,}"}
    else:
        rate_display = _(
            "%(rate)s %%: %(workers)s workers with a contract in force of %(employees)s employees"
        ) % {
            "rate": rate,
            "workers": f"{workers:,}",
            "employees": f"{employees:,}",
        }
    return [
        Fact(
            "contracts.signing_rate",
            _("Labour contract signing rate"),
            rate,
            rate_display,
            source=str(SIGNING_SOURCE),
            as_of=today,
            url=in_force_url,
            permission=VIEW,
        ),
        Fact(
            "contracts.workers_in_force",
            _("Workers with a contract in force"),
            workers,
            ngettext(
                "%(n)s worker with a contract in force", "%(n)s workers with a contract in force", workers
            )
            % {"n": f"{workers:,}"},
            source=_("Labour contract book"),
            as_of=today,
            url=in_force_url,
            permission=VIEW,
        ),
        Fact(
            "contracts.in_force",
            _("Contracts in force"),
            contracts,
            ngettext("%(n)s contract in force", "%(n)s contracts in force", contracts)
            % {"n": f"{contracts:,}"},
            source=_("Labour contract book"),
            as_of=today,
            url=in_force_url,
            permission=VIEW,
        ),
        Fact(
            "contracts.without_contract",
            _("Workers without a written contract after one month"),
            missing,
            ngettext(
                "%(n)s worker without a written contract after one month",
                "%(n)s workers without a written contract after one month",
                missing,
            )
            % {"n": f"{missing:,}"},
            source=WITHOUT_CONTRACT_SOURCE,
            as_of=today,
            url=without_url,
            permission=VIEW,
        ),
    ]


def risk_signals(today: dt.date, enterprise_ids=None):
    """Workers without a written contract after one month, contracts expiring within 30 days: two
    queries per kind for every enterprise at once."""
    contracts = for_enterprises(LabourContract.objects.all(), "enterprise", enterprise_ids)
    without_url = path_maker("contracts:book_list", PLACEHOLDER, "without_contract")
    expiring_url = path_maker("contracts:book_list", PLACEHOLDER, "expiring_30")

    # Since when a worker is without a written contract: the end of the lapsed contract, or the
    # signing of a contract written late.
    missing = without_contract(contracts, today).annotate(
        since=Case(When(status=LabourContract.Status.EXPIRED, then=F("end")), default=F("signed_on"))
    )
    for ent, n, last, row in grouped(missing, "enterprise", "since"):
        yield Signal(
            ent,
            "contracts.without_contract",
            n,
            last,
            detail=ngettext(
                "%(n)d worker without a written contract after one month",
                "%(n)d workers without a written contract after one month",
                n,
            )
            % {"n": n},
            ref_type="contracts.labourcontract",
            ref_id=str(row.get("pk", "")),
            url=without_url(ent),
            permission=VIEW,
        )
    soon = expiring(contracts, today, EXPIRING_DAYS)
    for ent, n, last, row in grouped(soon, "enterprise", "end"):
        yield Signal(
            ent,
            "contracts.expiring",
            n,
            last,
            detail=ngettext(
                "%(n)d contract expiring within %(days)d days",
                "%(n)d contracts expiring within %(days)d days",
                n,
            )
            % {"n": n, "days": EXPIRING_DAYS},
            ref_type="contracts.labourcontract",
            ref_id=str(row.get("pk", "")),
            url=expiring_url(ent),
            permission=VIEW,
        )
