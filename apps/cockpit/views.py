from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

from apps.core.principal import principal_for_request

from . import rules, selectors
from .forms import FiguresQueryForm


@login_required
@permission_required("cockpit.view_cockpit", raise_exception=True)
def index(request):
    """The park's cockpit: headline figures against their targets, every figure, 24-month trends,
    the breakdown by town and by industry; each figure links to its list."""
    principal = principal_for_request(request)
    form = FiguresQueryForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "cockpit/index.html", {"form": form}, status=400)
    query = form.query() if request.GET else {"as_of": None, "since": None, "town": None, "industry": None}
    result = selectors.figures(principal, **query)
    headline = [result["by_code"][code] for code in rules.HEADLINE]
    others = [f for f in result["figures"] if f["code"] not in rules.HEADLINE]
    trend = selectors.trends(
        principal, as_of=result["as_of"], town=query["town"], industry=query["industry"], codes=rules.HEADLINE
    )
    by_town = selectors.breakdown(
        principal, by="town", as_of=result["as_of"], since=result["since"], codes=rules.HEADLINE
    )
    by_industry = selectors.breakdown(
        principal, by="industry", as_of=result["as_of"], since=result["since"], codes=rules.HEADLINE
    )
    chart = {
        "months": trend["months"],
        "series": [
            {
                "code": code,
                "label": trend["labels"][code],
                "unit": trend["units"][code],
                "values": [None if v is None else float(v) for v in trend["series"][code]],
                "target": None
                if result["by_code"][code]["target"] is None
                else float(result["by_code"][code]["target"]),
            }
            for code in rules.HEADLINE
        ],
        "towns": {
            "labels": [row["label"] for row in by_town["rows"]],
            "coverage": [
                None
                if row["values"]["certification.coverage"] is None
                else float(row["values"]["certification.coverage"])
                for row in by_town["rows"]
            ],
            "target": chart_target(result, "certification.coverage"),
            "label": str(rules.BY_CODE["certification.coverage"].label),
        },
    }
    trend_rows = [
        {
            "month": month,
            "values": [selectors.display(trend["units"][c], trend["series"][c][i]) for c in rules.HEADLINE],
        }
        for i, month in enumerate(trend["months"])
    ]
    return render(
        request,
        "cockpit/index.html",
        {
            "form": form,
            "result": result,
            "headline": headline,
            "others": others,
            "trend": trend,
            "trend_rows": trend_rows,
            "trend_labels": [trend["labels"][c] for c in rules.HEADLINE],
            "by_town": by_town,
            "by_industry": by_industry,
            "chart": chart,
            "query": query,
        },
    )


def chart_target(result, code):
    target = result["by_code"][code]["target"]
    return None if target is None else float(target)
