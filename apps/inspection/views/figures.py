"""The figures page of labour inspection: cases by source, matter, status, town and industry;
arrears owed and recovered and the workers concerned; overdue cases; orders to rectify; and an
ECharts view of the cases by month (static/js/inspection-figures.js, data through json_script).
Everyone who reads inspection cases sees the figures of their own scope (`visible_to`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from apps.core.scoping import principal_for_request

from ..forms.arrears import FiguresForm
from ..selectors import figures as selectors

VIEW = "inspection.view_inspectioncase"


@login_required
@permission_required(VIEW, raise_exception=True)
def figures(request):
    principal = principal_for_request(request)
    form = FiguresForm(request.GET if request.GET else None)
    period = (None, None)
    if form.is_bound:
        period = form.period() if form.is_valid() else None
    data, chart = None, None
    if period is not None:
        data = selectors.figures(principal, date_from=period[0], date_to=period[1])
        chart = {
            "months": [row["month"] for row in data["by_month"]],
            "cases": [row["n"] for row in data["by_month"]],
            "recovered": [float(row["recovered"] or 0) for row in data["by_month"]],
            "series": [pgettext("number of", "Cases"), _("Arrears recovered (yuan)")],
            "matters": [{"name": str(label), "value": n} for label, n, _code in data["by_matter"] if n],
            "matters_title": _("Cases by matter"),
        }
    return render(request, "inspection/figures.html", {"form": form, "figures": data, "chart": chart})
