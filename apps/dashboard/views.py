from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from apps.core.principal import Role, principal_for_request
from apps.core.worklist import DONE, OVERDUE, SOON, TODAY, WAITING

from . import selectors

#: How each worklist state looks: a Bootstrap badge colour and an icon, always beside the state's
#: words (the colour is never the only sign).
STATE_STYLES = {
    OVERDUE: ("danger", "exclamation-octagon"),
    TODAY: ("warning", "alarm"),
    SOON: ("info", "hourglass-split"),
    WAITING: ("secondary", "inbox"),
    DONE: ("success", "check-circle"),
}


@login_required
def home(request):
    """The staff home: the worklist (what needs the user today, most urgent first), then the
    role's figures against their targets, then the modules' counts not already in the worklist."""
    principal = principal_for_request(request)
    roles = [Role(r).label for r in sorted(principal.roles)]
    context = selectors.home(principal)
    for entry in context["worklist"]:
        entry["badge"], entry["icon"] = STATE_STYLES[entry["state"]]
    return render(request, "dashboard/home.html", {**context, "roles": roles, "principal": principal})
