from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from apps.core.principal import Role, principal_for_request

from . import selectors


@login_required
def home(request):
    principal = principal_for_request(request)
    roles = [Role(r).label for r in sorted(principal.roles)]
    return render(
        request,
        "dashboard/home.html",
        {"cards": selectors.home_cards(principal), "roles": roles, "principal": principal},
    )
