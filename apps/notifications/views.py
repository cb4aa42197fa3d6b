from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from apps.core.pagination import paginate
from apps.core.scoping import get_visible_or_404, principal_for_request

from . import selectors, services
from .models import Notification


@login_required
def inbox(request):
    principal = principal_for_request(request)
    page = paginate(request, selectors.inbox(principal), 30)
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def open_notification(request, pk):
    principal = principal_for_request(request)
    n = get_visible_or_404(Notification.objects.all(), principal, pk=pk)
    services.mark_read(principal, [n.pk])
    if n.link and url_has_allowed_host_and_scheme(n.link, allowed_hosts={request.get_host()}):
        return redirect(n.link)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    services.mark_read(principal_for_request(request))
    return redirect("notifications:inbox")
