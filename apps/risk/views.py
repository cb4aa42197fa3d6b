"""Pages of the watch list: the list with its filters and export, an enterprise's risk, the
park's risk over time. Thin: the selectors read (scoped by the principal), the templates show."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.utils import timezone

from apps.core import exports
from apps.core.db import for_reports
from apps.core.pagination import InvalidCursor, KeysetPaginator
from apps.core.scoping import principal_for_request

from . import rules, selectors
from .models import RiskPolicy

PAGE_SIZE = 50


@login_required
@permission_required(selectors.VIEW, raise_exception=True)
def risk_list(request):
    principal = principal_for_request(request)
    today = timezone.localdate()
    filterset, qs = selectors.watch_list(principal, request.GET, request=request)
    for field in filterset.form:
        field.help_text = ""
    paginator = KeysetPaginator(qs, selectors.LIST_ORDER, PAGE_SIZE)
    try:
        page = paginator.page(
            after=request.GET.get("after") or None, before=request.GET.get("before") or None
        )
    except InvalidCursor:
        page = paginator.page()
    page.object_list = selectors.decorate(page.object_list, today)
    return render(
        request,
        "risk/list.html",
        {
            "filter": filterset,
            "page": page,
            "policy": selectors.policy_in_effect(today),
            "source": rules.POLICY_SOURCE,
        },
    )


@login_required
@permission_required(selectors.VIEW, raise_exception=True)
def risk_export(request):
    principal = principal_for_request(request)
    _filterset, qs = selectors.watch_list(principal, request.GET, request=request)
    name = f"risk-watch-list-{timezone.localdate():%Y%m%d}.xlsx"
    return exports.xlsx_response(name, selectors.export_sheets(for_reports(qs)))


@login_required
@permission_required(selectors.VIEW, raise_exception=True)
def risk_detail(request, enterprise_id):
    principal = principal_for_request(request)
    context = selectors.enterprise_page(principal, enterprise_id, timezone.localdate())
    return render(request, "risk/detail.html", context)


@login_required
@permission_required(selectors.VIEW, raise_exception=True)
def risk_chart(request):
    principal = principal_for_request(request)
    today = timezone.localdate()
    return render(
        request,
        "risk/chart.html",
        {
            "chart": selectors.park_chart(principal, today),
            "policy": selectors.policy_in_effect(today),
            "versions": RiskPolicy.objects.order_by("-version")[:5],
        },
    )
