"""The park's pages for API clients (issue 15): list, create (the key shown once), detail with
rotation, revocation and an edit page. Park administrators only (403 for everyone else).

A new key is rendered in the answer to the POST that made it (create, rotate), with
`Cache-Control: no-store`, and never stored or shown again: not in the session, not in a message,
not in a later page. Re-sending the rotate form does not rotate twice (the form carries the key
prefix it showed)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from apps.core.forms import call_service
from apps.core.pagination import paginate
from apps.core.scoping import principal_for_request

from .forms import ApiClientCreateForm, ApiClientRevokeForm, ApiClientRotateForm, ApiClientSettingsForm
from .models import ApiClient
from .scopes import SCOPES
from .selectors import api_clients_visible_to, request_counts
from .services import create_api_client, revoke_api_client, rotate_api_client_key, update_api_client

VIEW = "accounts.view_apiclient"
ADD = "accounts.add_apiclient"
CHANGE = "accounts.change_apiclient"


def _admin(request):
    principal = principal_for_request(request)
    if not principal.is_park_admin:
        raise PermissionDenied
    return principal


def _client(principal, pk) -> ApiClient:
    return get_object_or_404(api_clients_visible_to(principal), pk=pk)


def _optional_url(name: str, **kwargs) -> str | None:
    """The address of a page another module may not have yet (e.g. the client's webhooks)."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def _scope_rows(codes) -> list[tuple[str, str]]:
    return [(code, SCOPES.get(code, code)) for code in codes]


@login_required
@permission_required(VIEW, raise_exception=True)
def api_client_list(request):
    principal = _admin(request)
    page = paginate(request, api_clients_visible_to(principal), 50)
    clients = list(page.object_list)
    counts = request_counts([c.pk for c in clients])
    now = timezone.now()
    rows = [
        {"client": c, "status": c.status_at(now), "counts": counts[c.pk], "scopes": _scope_rows(c.scopes)}
        for c in clients
    ]
    return render(request, "accounts/api_client_list.html", {"page": page, "rows": rows})


def _key_page(request, client, key, *, created: bool):
    return render(
        request,
        "accounts/api_client_key.html",
        {"client": client, "key": key, "created": created},
    )


@never_cache
@login_required
@permission_required(ADD, raise_exception=True)
def api_client_create(request):
    principal = _admin(request)
    form = ApiClientCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = call_service(
            form,
            create_api_client,
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            area=form.cleaned_data["area"],
            expires_at=form.expires_at(),
            created_by=request.user,
            principal=principal,
        )
        if result is not None:
            client, key = result
            return _key_page(request, client, key, created=True)
    return render(request, "accounts/api_client_form.html", {"form": form, "client": None})


def _detail(request, principal, client, *, rotate_form=None, revoke_form=None):
    now = timezone.now()
    context = {
        "client": client,
        "status": client.status_at(now),
        "previous_key_works": client.previous_key_works_at(now),
        "scopes": _scope_rows(client.scopes),
        "counts": request_counts([client.pk])[client.pk],
        "rotate_form": rotate_form or ApiClientRotateForm(initial={"key_prefix": client.key_prefix}),
        "revoke_form": revoke_form or ApiClientRevokeForm(),
        "webhooks_url": _optional_url("webhooks:client_subscriptions", client_id=client.pk),
        "audit_url": _optional_url(
            "audit:object_events", object_type="accounts.apiclient", object_id=client.pk
        ),
    }
    return render(request, "accounts/api_client_detail.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def api_client_detail(request, pk):
    principal = _admin(request)
    return _detail(request, principal, _client(principal, pk))


@login_required
@permission_required(CHANGE, raise_exception=True)
def api_client_edit(request, pk):
    principal = _admin(request)
    client = _client(principal, pk)
    if not client.is_active:
        messages.error(request, _("A revoked API client cannot be changed."))
        return redirect("accounts:api_client_detail", pk=client.pk)
    initial = {
        "scopes": client.scopes,
        "area": client.area_id,
        # The form's date is the last day the key works: the day before the expiry's midnight.
        "valid_until": (timezone.localtime(client.expires_at) - dt.timedelta(microseconds=1)).date()
        if client.expires_at
        else None,
    }
    form = ApiClientSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        expires_at = form.expires_at()
        if form.cleaned_data.get("valid_until") == initial["valid_until"]:
            expires_at = client.expires_at  # unchanged (an exact moment set by the command stays)
        updated = call_service(
            form,
            update_api_client,
            principal,
            client,
            scopes=form.cleaned_data["scopes"],
            area=form.cleaned_data["area"],
            expires_at=expires_at,
        )
        if updated is not None:
            messages.success(request, _("The API client is saved."))
            return redirect("accounts:api_client_detail", pk=client.pk)
    return render(request, "accounts/api_client_form.html", {"form": form, "client": client})


@never_cache
@require_POST
@login_required
@permission_required(CHANGE, raise_exception=True)
def api_client_rotate(request, pk):
    principal = _admin(request)
    client = _client(principal, pk)
    form = ApiClientRotateForm(request.POST)
    if form.is_valid():
        result = call_service(
            form,
            rotate_api_client_key,
            principal,
            client,
            grace_hours=form.cleaned_data["grace_hours"],
            expected_prefix=form.cleaned_data["key_prefix"],
        )
        if result is not None:
            client, key = result
            return _key_page(request, client, key, created=False)
    return _detail(request, principal, client, rotate_form=form)


@require_POST
@login_required
@permission_required(CHANGE, raise_exception=True)
def api_client_revoke(request, pk):
    principal = _admin(request)
    client = _client(principal, pk)
    form = ApiClientRevokeForm(request.POST)
    if form.is_valid():
        revoked = call_service(form, revoke_api_client, principal, client, reason=form.cleaned_data["reason"])
        if revoked is not None:
            messages.success(request, _("The API client “%(name)s” is revoked.") % {"name": client.name})
            return redirect("accounts:api_client_detail", pk=client.pk)
    return _detail(request, principal, client, revoke_form=form)
