"""Veto events (一票否决): recorded by hand (confirmed at once), or proposed by the platform from
inspection and mediation records and then confirmed or dismissed with a reason by the park
(issue 17; domain guide §9: "veto events arise from inspection and mediation records
automatically (proposed, then confirmed by the park)"). Only a confirmed event counts: it revokes
the enterprise's valid titles, and open applications are refused while it lies in its look-back
window (domain guide §4)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.audit.history import transition
from apps.core.errors import DomainError, NotAllowed, raise_fields
from apps.core.facts import collect_veto_candidates
from apps.core.models import object_ref
from apps.core.principal import SYSTEM
from apps.enterprises.models import Enterprise
from apps.notifications.services import notify

from .. import selectors
from ..models import Certificate, VetoEvent, VetoRule
from ..workflow import VETO_WORKFLOW, may_record_veto_event
from .certificates import end_title
from .common import park_today, user_of

log = logging.getLogger(__name__)

ST = VetoEvent.Status


def _checked(principal, *, kind: str, occurred_on, source: str, catalogue: dict) -> None:
    if not may_record_veto_event(principal):
        raise NotAllowed(_("Your role may not record veto events."))
    errors: dict = {}
    if kind not in catalogue:
        errors["kind"] = [_("Choose a kind from the veto catalogue.")]
    if occurred_on is None:
        errors["occurred_on"] = [_("Enter the date of the event.")]
    elif occurred_on > park_today():
        errors["occurred_on"] = [_("The event cannot be in the future.")]
    if not (source or "").strip():
        errors["source"] = [_("Name the source: the authority's notice, decision or case number.")]
    raise_fields(errors)


def _history(event: VetoEvent, principal, action: str, reason: str = "") -> None:
    """The first history row of an event (its creation); later ones are written by `transition`."""
    event.history.create(
        action=action,
        from_status="",
        to_status=event.status,
        actor=user_of(principal),
        actor_label=principal.label,
        reason=reason,
    )


def _revoke_titles(principal, event: VetoEvent) -> list[Certificate]:
    """The enterprise's valid titles end with the event as the reason, whoever confirmed it (an
    inspector's listing, a district system: the platform revokes)."""
    reason = _("Veto event “%(kind)s” on %(date)s (%(source)s).") % {
        "kind": event.kind_name,
        "date": event.occurred_on,
        "source": event.source,
    }
    actor = principal if principal.is_park_admin and not principal.is_system else SYSTEM
    return [
        end_title(actor, cert, "revoke", reason)
        for cert in Certificate.objects.filter(
            enterprise_id=event.enterprise_id, status=Certificate.Status.VALID
        )
    ]


def _new_event(enterprise, kind: str, catalogue: dict, *, source: str, note: str, **fields) -> VetoEvent:
    """A new event of the catalogue's `kind` (its name kept as it reads today)."""
    return VetoEvent.objects.create(
        enterprise=enterprise,
        kind=kind,
        kind_name=catalogue[kind],
        source=source.strip()[:300],
        note=(note or "").strip(),
        **fields,
    )


@transaction.atomic
def record_veto_event(
    principal,
    *,
    enterprise: Enterprise,
    kind: str,
    occurred_on: dt.date,
    source: str,
    note: str = "",
    origin: str = VetoEvent.Origin.MANUAL,
    ref=None,
) -> VetoEvent:
    """Record a veto event (一票否决) by hand: it is confirmed at once. A valid title of the
    enterprise is revoked at once, the event being the reason; open applications are refused on
    submission, proposal and at the end of the notice while the event lies in its look-back window."""
    catalogue = selectors.veto_catalogue()
    _checked(principal, kind=kind, occurred_on=occurred_on, source=source, catalogue=catalogue)
    object_type, object_id = object_ref(ref)
    event = _new_event(
        enterprise,
        kind,
        catalogue,
        occurred_on=occurred_on,
        source=source,
        note=note,
        origin=origin,
        object_type=object_type,
        object_id=object_id,
        recorded_by=user_of(principal),
        status=ST.CONFIRMED,
    )
    _history(event, principal, "record")
    audit.record("certification.record_veto_event", event, after=audit.snapshot(event))
    _revoke_titles(principal, event)
    return event


def _propose(
    principal,
    *,
    enterprise: Enterprise,
    kind: str,
    occurred_on: dt.date,
    source: str,
    origin: str,
    object_type: str,
    object_id: str,
    note: str = "",
    catalogue: dict | None = None,
) -> tuple[VetoEvent, bool]:
    catalogue = catalogue if catalogue is not None else selectors.veto_catalogue()
    _checked(principal, kind=kind, occurred_on=occurred_on, source=source, catalogue=catalogue)
    if object_id:
        existing = VetoEvent.objects.filter(kind=kind, object_type=object_type, object_id=object_id).first()
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            event = _new_event(
                enterprise,
                kind,
                catalogue,
                occurred_on=occurred_on,
                source=source,
                note=note,
                origin=origin,
                object_type=object_type,
                object_id=object_id,
                recorded_by=None,
                status=ST.PROPOSED,
            )
    except IntegrityError:  # proposed at the same moment from the same record
        return VetoEvent.objects.get(kind=kind, object_type=object_type, object_id=object_id), False
    _history(event, principal, "propose")
    audit.record("certification.propose_veto_event", event, after=audit.snapshot(event))
    notify(
        selectors.veto_recipients(),
        title=lambda: (
            _("Veto event proposed for %(enterprise)s: %(kind)s")
            % {"enterprise": enterprise.name, "kind": event.kind_name}
        ),
        body=lambda: (
            _("%(date)s · %(source)s. Confirm or dismiss it with a reason.")
            % {"date": occurred_on, "source": event.source}
        ),
        link=reverse("certification:veto_list") + "?status=proposed",
    )
    return event, True


@transaction.atomic
def propose_veto_event(
    principal,
    *,
    enterprise: Enterprise,
    kind: str,
    occurred_on: dt.date,
    source: str,
    origin: str,
    ref=None,
    object_type: str = "",
    object_id: str = "",
    note: str = "",
) -> VetoEvent:
    """Propose a veto event from a platform record (`ref`, or `object_type`/`object_id`): it does
    not count until the park confirms it. Idempotent per (kind, record): proposing again returns
    the event already there, whatever its status (a dismissed one stays dismissed). The park
    administrators are notified of a new proposal."""
    if ref is not None:
        object_type, object_id = object_ref(ref)
    event, _created = _propose(
        principal,
        enterprise=enterprise,
        kind=kind,
        occurred_on=occurred_on,
        source=source,
        origin=origin,
        object_type=object_type,
        object_id=str(object_id or ""),
        note=note,
    )
    return event


def lookback_start(today: dt.date) -> dt.date:
    """The first day any veto rule still looks back to: older records cannot bar anything."""
    months = VetoRule.objects.aggregate(m=Max("lookback_months"))["m"] or 24
    return today - relativedelta(months=months)


def propose_veto_events(
    principal, enterprise_ids: Iterable | None = None, *, since: dt.date | None = None
) -> dict:
    """Turn every module's veto candidates (`apps.core.facts.collect_veto_candidates`) into
    proposed veto events, for every enterprise or the given ones, from `since` (default: the
    longest look-back window). Idempotent: a record already proposed (or confirmed, or dismissed)
    is left as it is. Each proposal is its own transaction; a candidate the catalogue refuses is
    logged and skipped. Returns the counts {"proposed", "existing", "skipped"}."""
    since = since or lookback_start(park_today())
    candidates = list(collect_veto_candidates(enterprise_ids, since))
    result = {"proposed": 0, "existing": 0, "skipped": 0}
    if not candidates:
        return result
    known = set(
        VetoEvent.objects.filter(object_id__in={str(c["object_id"]) for c in candidates}).values_list(
            "kind", "object_type", "object_id"
        )
    )
    enterprises = Enterprise.objects.in_bulk({c["enterprise_id"] for c in candidates})
    catalogue = selectors.veto_catalogue()
    for candidate in candidates:
        key = (candidate["kind"], candidate["object_type"], str(candidate["object_id"]))
        if key in known:
            result["existing"] += 1
            continue
        enterprise = enterprises.get(candidate["enterprise_id"])
        if enterprise is None:
            result["skipped"] += 1
            continue
        try:
            with transaction.atomic():
                _event, created = _propose(
                    principal,
                    enterprise=enterprise,
                    kind=candidate["kind"],
                    occurred_on=candidate["occurred_on"],
                    source=str(candidate.get("source") or ""),
                    origin=candidate.get("origin") or VetoEvent.Origin.MANUAL,
                    object_type=key[1],
                    object_id=key[2],
                    catalogue=catalogue,
                )
        except DomainError as exc:
            log.warning("veto candidate %s refused: %s", key, exc.fields or exc)
            result["skipped"] += 1
            continue
        known.add(key)
        result["proposed" if created else "existing"] += 1
    return result


@transaction.atomic
def confirm_veto_event(principal, event: VetoEvent) -> VetoEvent:
    """The park confirms a proposed veto event: from now on it counts, and the enterprise's valid
    titles are revoked with the event as the reason (as `record_veto_event` does)."""
    event = transition(
        event, VETO_WORKFLOW, "confirm", principal, changes={"recorded_by": user_of(principal)}
    )
    _revoke_titles(principal, event)
    return event


@transaction.atomic
def dismiss_veto_event(principal, event: VetoEvent, reason: str) -> VetoEvent:
    """The park dismisses a proposed veto event with a reason (required): it never counts."""
    return transition(event, VETO_WORKFLOW, "dismiss", principal, reason=reason)


@transaction.atomic
def note_veto_event(principal, event: VetoEvent, *, on: dt.date, note: str) -> VetoEvent:
    """Add a dated line to a veto event's note, e.g. when inspection removes the enterprise from
    the wage-arrears list the event came from (the event itself stays: it happened, and its
    look-back window still counts it). Who may: those who record veto events."""
    if not may_record_veto_event(principal):
        raise NotAllowed(_("Your role may not record veto events."))
    text = (note or "").strip()
    if not text:
        raise DomainError(_("Enter the note."), field="note")
    event = VetoEvent.objects.select_for_update().get(pk=event.pk)
    before = audit.snapshot(event)
    line = f"{on.isoformat()} {text}"
    event.note = f"{event.note}\n{line}" if event.note else line
    event.save(update_fields=["note", "updated_at"])
    audit.record("certification.note_veto_event", event, before=before, after=audit.snapshot(event))
    return event
