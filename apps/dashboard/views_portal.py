"""The public portal (issue 20): the way in for workers and the public, who have no account.

`/` shows it to anyone not signed in and stays the staff home (`views.home`, the worklist) for
those who are; `/portal/` shows it to everyone, so staff can see what the public sees. The portal
reads nothing from the database: its cards are links to the modules' public pages (apply and track
mediation, labour inspection and legal aid, the certification public notice, the certificate
check by number, the directory of mediation organisations) and a staff login button."""

from __future__ import annotations

from django.shortcuts import render

from . import views


def portal(request):
    return render(request, "dashboard/portal.html")


def root(request):
    """`/`: the staff home for a signed-in user, the public portal for anyone else."""
    if request.user.is_authenticated:
        return views.home(request)
    return portal(request)
