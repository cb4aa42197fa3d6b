from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

from apps.core.pagination import paginate
from apps.core.scoping import principal_for_request

from . import selectors


@login_required
@permission_required("audit.view_auditevent", raise_exception=True)
def event_list(request):
    principal = principal_for_request(request)
    qs = selectors.events_visible_to(principal)
    q = request.GET.get("q", "").strip()
    if q:
        qs = (
            qs.filter(action__icontains=q)
            | qs.filter(actor_label__icontains=q)
            | qs.filter(object_repr__icontains=q)
        )
    page = paginate(request, qs, 50)
    return render(request, "audit/event_list.html", {"page": page, "q": q})


@login_required
@permission_required("audit.view_auditevent", raise_exception=True)
def object_events(request, object_type, object_id):
    principal = principal_for_request(request)
    qs = selectors.events_for_object(principal, object_type, object_id)
    page = paginate(request, qs, 50)
    return render(
        request, "audit/event_list.html", {"page": page, "object_type": object_type, "object_id": object_id}
    )
