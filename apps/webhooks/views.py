"""The park's webhook pages: an API client's subscriptions and their delivery log (park
administrators only). Thin: forms parse, services decide, selectors read."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from apps.core.errors import DomainError
from apps.core.forms import call_service
from apps.core.pagination import InvalidCursor, KeysetPaginator
from apps.core.principal import principal_for_api_client, principal_for_request

from . import selectors, services
from .forms import DisableForm, ReplayRangeForm, SubscriptionForm
from .models import Delivery

VIEW = "webhooks.view_subscription"
CHANGE = "webhooks.change_subscription"
LOG_PAGE_SIZE = 50


def park_admin_only(perm):
    """Signed in, holding `perm`, and a park administrator (an area's role never manages the
    district systems' webhooks)."""

    def decorator(view):
        @login_required
        @permission_required(perm, raise_exception=True)
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            principal = principal_for_request(request)
            if not principal.is_park_admin:
                raise PermissionDenied
            return view(request, principal, *args, **kwargs)

        return wrapped

    return decorator


def _back(client_id):
    return redirect("webhooks:client_subscriptions", client_id=client_id)


@park_admin_only(VIEW)
def client_subscriptions(request, principal, client_id):
    client = selectors.client_for_admin(client_id)
    subscriptions = list(selectors.subscriptions_of(client))
    chosen = next((s for s in subscriptions if str(s.pk) == request.GET.get("subscription")), None)
    status = request.GET.get("status", "")
    if status not in Delivery.Status.values:
        status = ""
    log = selectors.delivery_log(client, subscription=chosen, status=status)
    paginator = KeysetPaginator(log, selectors.LOG_ORDER, LOG_PAGE_SIZE)
    try:
        page = paginator.page(
            after=request.GET.get("after") or None, before=request.GET.get("before") or None
        )
    except InvalidCursor:
        page = paginator.page()
    for delivery in page:
        delivery.error_label = selectors.error_label(delivery.last_error)
        delivery.replayable = delivery.status in (Delivery.Status.DELIVERED, Delivery.Status.FAILED)
    now = timezone.localtime()
    return render(
        request,
        "webhooks/client_subscriptions.html",
        {
            "client": client,
            "rows": selectors.subscription_rows(client, principal_for_api_client(client)),
            "page": page,
            "chosen": chosen,
            "status": status,
            "statuses": Delivery.Status.choices,
            "can_change": request.user.has_perm(CHANGE),
            "replay_form": ReplayRangeForm(
                initial={"since": now - dt.timedelta(days=1), "until": now}, auto_id="replay_%s"
            ),
            "disable_form": DisableForm(auto_id="disable_%s"),
        },
    )


def _secret_page(request, subscription, secret, *, created: bool):
    response = render(
        request,
        "webhooks/secret.html",
        {"subscription": subscription, "client": subscription.client, "secret": secret, "created": created},
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@park_admin_only(CHANGE)
def subscription_create(request, principal, client_id):
    client = selectors.client_for_admin(client_id)
    form = SubscriptionForm(request.POST or None, client=client)
    if request.method == "POST" and form.is_valid():
        created = call_service(form, services.create_subscription, principal, client, **form.cleaned_data)
        if created is not None:
            subscription, secret = created
            return _secret_page(request, subscription, secret, created=True)
    return render(
        request, "webhooks/subscription_form.html", {"form": form, "client": client, "subscription": None}
    )


@park_admin_only(CHANGE)
def subscription_edit(request, principal, pk):
    subscription = selectors.subscription_for_admin(pk)
    client = subscription.client
    initial = {
        "url": subscription.url,
        "event_types": subscription.event_types,
        "description": subscription.description,
    }
    form = SubscriptionForm(request.POST or None, initial=initial, client=client)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(form, services.update_subscription, principal, subscription, **form.cleaned_data)
    ):
        messages.success(request, _("The subscription is saved."))
        return _back(client.pk)
    return render(
        request,
        "webhooks/subscription_form.html",
        {"form": form, "client": client, "subscription": subscription},
    )


@require_POST
@park_admin_only(CHANGE)
def subscription_disable(request, principal, pk):
    subscription = selectors.subscription_for_admin(pk)
    form = DisableForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    services.disable_subscription(principal, subscription, reason=reason)
    messages.success(request, _("The subscription is disabled: nothing is sent to it until it is enabled."))
    return _back(subscription.client_id)


@require_POST
@park_admin_only(CHANGE)
def subscription_enable(request, principal, pk):
    subscription = selectors.subscription_for_admin(pk)
    services.enable_subscription(principal, subscription)
    messages.success(request, _("The subscription is enabled: the waiting deliveries are being sent."))
    return _back(subscription.client_id)


@never_cache
@require_POST
@park_admin_only(CHANGE)
def subscription_rotate_secret(request, principal, pk):
    subscription = selectors.subscription_for_admin(pk)
    secret = services.rotate_secret(principal, subscription)
    return _secret_page(request, subscription, secret, created=False)


@require_POST
@park_admin_only(CHANGE)
def subscription_replay(request, principal, pk):
    subscription = selectors.subscription_for_admin(pk)
    form = ReplayRangeForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return _back(subscription.client_id)
    try:
        queued = services.replay_range(
            principal, subscription, since=form.cleaned_data["since"], until=form.cleaned_data["until"]
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(count)s deliveries queued again.") % {"count": queued})
    return _back(subscription.client_id)


@require_POST
@park_admin_only(CHANGE)
def delivery_replay(request, principal, pk):
    delivery = selectors.delivery_for_admin(pk)
    try:
        services.replay_delivery(principal, delivery)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The delivery is queued again."))
    return _back(delivery.subscription.client_id)
