"""The search across modules (issue 20): the navbar's box and the results page `/search/`.

What the user typed is read once into an `apps.core.search.SearchQuery`; every module answers
through the `search` hook on its AppConfig, within the user's scope (`apps/core/search.py`).

The box sends its text by POST. Anything but an ID number is then redirected to `/search/?q=...`
(an address that can be kept and shared); an ID number is answered on the POST itself, so that
it never lands in an address, a browser's history or an access log (docs/security.md, "Never in
an address"), and the page shows it masked, never in full. `/search/?q=<ID number>` searches no
worker: it says to use the box. Every search by ID number is written to the audit trail (who,
which modules answered, how many they found; never the number or its hash).
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from apps.api.throttling import IdSearchThrottle, SearchThrottle
from apps.audit import services as audit
from apps.core import search as finder
from apps.core.personal_data import mask_id_number
from apps.core.principal import principal_for_request

#: The audit trail's name of a search by ID number.
AUDIT_ACTION = "search.id_number"


def _shown(text: str) -> str:
    """The text as the page may repeat it: an ID number (or what looks like one) masked."""
    return mask_id_number(finder.compact_text(text)) if finder.looks_like_id_number(text) else text


@login_required
@require_http_methods(["GET", "POST"])
def search(request):
    posted = request.method == "POST"
    source = request.POST if posted else request.GET
    raw = finder.clean_text(source.get("q", ""))
    context = {"groups": [], "query": None, "errors": [], "text": "", "shown": ""}
    if not posted and "q" not in request.GET:
        return render(request, "dashboard/search.html", context)
    looks_like_id = finder.looks_like_id_number(raw)
    # The box is filled again with what was typed, except an ID number (masked in the heading).
    context["text"] = "" if looks_like_id else raw[: finder.MAX_LENGTH]
    try:
        query = finder.parse(raw, id_allowed=posted)
    except ValidationError as exc:
        context["errors"] = exc.messages
        return render(request, "dashboard/search.html", context)
    if posted and not query.looks_like_id:
        return redirect(reverse("dashboard:search") + "?" + urlencode({"q": query.text}))
    refused = _throttled(request, query)
    if refused is not None:
        context["errors"] = [refused[0]]
        response = render(request, "dashboard/search.html", context, status=429)
        response["Retry-After"] = str(refused[1])
        return response
    principal = principal_for_request(request)
    groups = finder.run(principal, query)
    if query.by_id:
        # Counted with the full views of personal data toward the hourly alert.
        audit.record_sensitive_lookup(AUDIT_ACTION, after=finder.id_search_summary(groups))
    context.update(
        query=query,
        groups=groups,
        shown=_shown(query.text),
        summary=finder.summary(groups),
        # A search by ID number that no module could run for this role: said, never "no results".
        id_refused=query.by_id and not any(g.by_id for g in groups),
    )
    return render(request, "dashboard/search.html", context)


def _throttled(request, query) -> tuple[str, int] | None:
    """The refusal (message, seconds to wait) when the user has used up a search budget: every
    search counts toward `search`, one by ID number toward `search_id_number` too (settings)."""
    throttles = [SearchThrottle(), *([IdSearchThrottle()] if query.by_id else [])]
    for throttle in throttles:
        if not throttle.allow_request(request, None):
            wait = max(1, int(throttle.wait() or 60))
            minutes = max(1, round(wait / 60))
            if isinstance(throttle, IdSearchThrottle):
                message = ngettext(
                    "You have searched by ID number too often: try again in %(minutes)d minute.",
                    "You have searched by ID number too often: try again in %(minutes)d minutes.",
                    minutes,
                )
            else:
                message = ngettext(
                    "Too many searches: try again in %(minutes)d minute.",
                    "Too many searches: try again in %(minutes)d minutes.",
                    minutes,
                )
            return message % {"minutes": minutes}, wait
    return None
