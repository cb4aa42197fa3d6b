"""The wage-arrears list (拖欠农民工工资失信联合惩戒对象名单, 人社部令第45号): listing an
enterprise on a decision, which proposes the certification veto event at once (the park confirms
or dismisses it, issue 17), and removal (the term ended, early removal on its three conditions, or
the decision revoked), which is noted on the veto event too. Kept by park administrators (`inspection.manage_wage_arrears_list`)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.certification import services as certification_services
from apps.certification.models import VetoEvent
from apps.core.errors import DomainError, InvalidTransition, raise_fields
from apps.core.principal import SYSTEM
from apps.enterprises.models import Enterprise

from .. import rules, selectors
from ..models import InspectionCase, WageArrearsListing
from ._common import _date, _require, _text, _today, _user

MANAGE = "inspection.manage_wage_arrears_list"
R = WageArrearsListing.Removal


def _veto_actor(principal):
    """The listing is the act; the veto event is proposed from it whoever listed (a park
    administrator in their own name, a district system or a job as the platform)."""
    return principal if principal.is_park_admin and not principal.is_system else SYSTEM


@transaction.atomic
def list_wage_arrears(
    principal,
    *,
    enterprise: Enterprise | None,
    listed_on,
    decision_reference: str,
    case: InspectionCase | None = None,
) -> WageArrearsListing:
    """List an enterprise for 3 years from the decision (Measures art. 11) and propose the veto event
    `wage_arrears_blacklist` in certification, linked to the listing: the park confirms it (the
    enterprise's valid titles are then revoked) or dismisses it with a reason."""
    _require(principal, MANAGE)
    today = _today()
    errors: dict[str, list] = {}
    if enterprise is None:
        errors["enterprise"] = [_("Choose the enterprise from the registry.")]
    elif WageArrearsListing.objects.listed().filter(enterprise=enterprise).exists():
        errors["enterprise"] = [_("The enterprise is already on the wage-arrears list.")]
    listed = _date(listed_on, "listed_on", errors, required=True, not_after=today)
    reference = _text(decision_reference, 100)
    if not reference:
        errors["decision_reference"] = [_("Enter the reference of the listing decision.")]
    elif WageArrearsListing.objects.filter(decision_reference=reference).exists():
        errors["decision_reference"] = [_("A listing with this decision reference exists already.")]
    if case is not None and enterprise is not None and case.enterprise_id != enterprise.pk:
        errors["case"] = [_("The case concerns another employer.")]
    raise_fields(errors)
    listing = WageArrearsListing.objects.create(
        enterprise=enterprise,
        case=case,
        listed_on=listed,
        decision_reference=reference,
        expires_on=rules.listing_expires_on(listed),
        listed_by=_user(principal),
    )
    event = certification_services.propose_veto_event(
        _veto_actor(principal),
        enterprise=enterprise,
        kind=rules.WAGE_ARREARS_VETO_KIND,
        occurred_on=listed,
        source=_("Wage-arrears listing decision %(reference)s") % {"reference": reference},
        note=rules.LISTING_TERM_SOURCE,
        origin=VetoEvent.Origin.INSPECTION,
        ref=listing,
    )
    listing.veto_event = event
    listing.save(update_fields=["veto_event", "updated_at"])
    audit.record("inspection.list_wage_arrears", listing, after=audit.snapshot(listing))
    return listing


@transaction.atomic
def remove_listing(
    principal,
    listing: WageArrearsListing,
    *,
    removal: str,
    removed_on=None,
    arrears_paid_on=None,
    pledge_received_on=None,
    note: str = "",
) -> WageArrearsListing:
    """Remove an enterprise from the list: when the term has ended, early (the arrears paid, 6 months
    since the listing and a written credit pledge, Measures art. 12; the park administrator's act
    is the approval), or when the listing decision is revoked (a note names the revocation). The
    removal is noted on the veto event."""
    _require(principal, MANAGE)
    listing = WageArrearsListing.objects.select_for_update().get(pk=listing.pk)
    if listing.status != WageArrearsListing.Status.LISTED:
        raise InvalidTransition(_("The enterprise is no longer on the list."))
    today = _today()
    errors: dict[str, list] = {}
    on = _date(removed_on, "removed_on", errors, not_after=today) or today
    paid = _date(arrears_paid_on, "arrears_paid_on", errors, not_after=today)
    pledge = _date(pledge_received_on, "pledge_received_on", errors, not_after=today)
    note = _text(note, 4000)
    source = ""
    if removal not in R.values:
        errors["removal"] = [_("Choose how the enterprise leaves the list.")]
    elif removal == R.EXPIRED and on <= listing.expires_on:
        errors["removed_on"] = [
            _("The 3-year term runs until %(date)s; the enterprise leaves the list after it (%(source)s).")
            % {"date": listing.expires_on, "source": rules.LISTING_TERM_SOURCE}
        ]
        source = rules.LISTING_TERM_SOURCE
    elif removal == R.EARLY and not errors:
        for field, message in rules.early_removal_refusals(
            listed_on=listing.listed_on, on=on, arrears_paid_on=paid, pledge_received_on=pledge
        ).items():
            errors.setdefault(field, []).append(message)
        source = rules.EARLY_REMOVAL_SOURCE
    elif removal == R.REVOKED and not note:
        errors["note"] = [_("Name the decision that revoked the listing.")]
    if on < listing.listed_on:
        errors.setdefault("removed_on", []).append(_("The removal cannot come before the listing."))
    raise_fields(errors, source=source or None)
    before = audit.snapshot(listing)
    listing.status = WageArrearsListing.Status.REMOVED
    listing.removal = removal
    listing.removed_on = on
    listing.arrears_paid_on = paid
    listing.pledge_received_on = pledge
    listing.removal_note = note
    listing.removal_approved_by = _user(principal)
    listing.save()
    audit.record("inspection.remove_listing", listing, before=before, after=audit.snapshot(listing))
    if listing.veto_event_id:
        certification_services.note_veto_event(
            _veto_actor(principal),
            listing.veto_event,
            on=on,
            note=_("Removed from the wage-arrears list: %(removal)s. %(note)s")
            % {"removal": listing.get_removal_display(), "note": note},
        )
    return listing


def remove_expired_listings(today: dt.date | None = None) -> int:
    """The daily job: listings whose 3-year term ended leave the list (the platform acts)."""
    today = today or _today()
    count = 0
    for listing in selectors.listings_expired(today):
        try:
            remove_listing(SYSTEM, listing, removal=R.EXPIRED, removed_on=today)
        except DomainError:
            continue
        count += 1
    return count
