"""The search across modules (`apps.core.search`, issue 20): inspection cases by serial number,
and the cases of a worker (a worker concerned or a reporter) by the keyed hash of an ID number."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.search import PER_KIND, denied, hit, may, searched

from ..models import InspectionCase, Reporter, Worker

VIEW = "inspection.view_inspectioncase"
#: Who may find a worker concerned by their ID number: those who see the workers' identities
#: (`selectors.can_see_worker_identity`: inspectors, park administrators); HR and union officials
#: see the workers masked and may not look them up.
WORKER_IDENTITY = "inspection.view_worker_identity"


def _title(case: InspectionCase) -> str:
    return f"{case.serial} · {case.employer_name}"


def search(principal, query) -> list[dict]:
    """A case by its serial number (exact, through its unique index) among those the principal
    sees; for an ID number, the visible cases where a worker concerned has it (for those who see
    workers' identities) and the cases it reported (`Reporter.visible_to`: only those who handle
    reports, 劳动保障监察条例 art. 9)."""
    if not may(principal, VIEW):
        return []
    entries = []
    if query.serial:
        kind = _("Inspection case")
        case = InspectionCase.objects.visible_to(principal).filter(serial=query.serial).first()
        if case is not None:
            entries.append(
                hit(
                    "inspection",
                    kind,
                    _title(case),
                    f"{case.get_status_display()} · {case.received_on:%Y-%m-%d}",
                    reverse("inspection:detail", args=[case.pk]),
                )
            )
        entries.append(searched("inspection", kind))
    if query.by_id:
        kind = _("Inspection case (worker concerned)")
        if not may(principal, WORKER_IDENTITY):
            return [*entries, denied("inspection", kind)]
        workers = (
            Worker.objects.filter(
                id_number_hash=query.id_hash, case__in=InspectionCase.objects.visible_to(principal)
            )
            .select_related("case")
            .order_by("-case__received_on", "-case__serial")[:PER_KIND]
        )
        seen = set()
        for worker in workers:
            if worker.case_id in seen:
                continue
            seen.add(worker.case_id)
            entries.append(
                hit(
                    "inspection",
                    kind,
                    _title(worker.case),
                    f"{worker.name} · {query.id_masked} · {worker.case.get_status_display()}",
                    reverse("inspection:detail", args=[worker.case_id]),
                    by_id=True,
                )
            )
        entries.append(searched("inspection", kind, by_id=True))
        # Reporters are confidential (劳动保障监察条例 art. 9): searched only by those who see them,
        # and not named as a kind to anyone else.
        reporters = Reporter.objects.visible_to(principal)
        if not reporters.query.is_empty():
            kind = _("Inspection case (reporter)")
            for reporter in (
                reporters.filter(id_number_hash=query.id_hash)
                .select_related("case")
                .order_by("-case__received_on")[:PER_KIND]
            ):
                entries.append(
                    hit(
                        "inspection",
                        kind,
                        _title(reporter.case),
                        f"{reporter.name} · {query.id_masked} · {reporter.case.get_status_display()}",
                        reverse("inspection:detail", args=[reporter.case_id]),
                        by_id=True,
                    )
                )
            entries.append(searched("inspection", kind, by_id=True))
    return entries
