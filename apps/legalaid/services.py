"""Every write of legal aid, one function per named action, each in a transaction with its
history and audit: registering a request (at the counter, through the API, or the public form),
the union's decision, assigning a lawyer or volunteer, linking the mediation case or an
arbitration/court reference, closing with the outcome, a new access code, and the daily notice
of overdue decisions. Everything wrong with input is reported at once, per field."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.roles import Role
from apps.audit import services as audit
from apps.audit.history import transition
from apps.core import personal_data, values
from apps.core.cache import figures_changed
from apps.core.errors import DomainError, NotAllowed, raise_fields
from apps.core.models import Area
from apps.core.principal import ANONYMOUS
from apps.enterprises.models import Enterprise
from apps.notifications.services import notify
from apps.unions import selectors as union_selectors

from . import rules, selectors
from .models import WRITE_SCOPE, AidKind, Applicant, Lawyer, LegalAidRequest, SerialCounter
from .workflow import WORKFLOW, acts_on, can_handle

S = LegalAidRequest.Status


def _today() -> dt.date:
    return timezone.localdate()


def _user(principal):
    user = principal.user
    return user if user is not None and user.is_authenticated else None


def _link(request: LegalAidRequest) -> str:
    return reverse("legalaid:detail", args=[request.pk])


def _require(principal, perm: str) -> None:
    if principal.is_system:
        return
    if principal.is_api_client:
        if not principal.has_scope(WRITE_SCOPE):
            raise NotAllowed(_("The API client needs the “legalaid:write” scope."))
    elif principal.user is None or not principal.user.has_perm(perm):
        raise NotAllowed(_("Your role may not do this."))


def new_access_code() -> str:
    return "".join(secrets.choice(rules.ACCESS_CODE_ALPHABET) for _ in range(rules.ACCESS_CODE_LENGTH))


def _next_serial(on: dt.date) -> str:
    """`FY2026-00042`: allocated under a row lock on the year's counter, never reused."""
    return f"{rules.SERIAL_PREFIX}{on.year}-{SerialCounter.take(on.year):05d}"


def _clean(data: dict, errors: dict, *, today: dt.date, public: bool) -> dict:
    name = values.clean_text(data.get("name"), 50)
    if not name:
        errors.setdefault("name", []).append(_("Enter the worker's full name."))
    raw_id = values.clean_text(data.get("id_number"), 30)
    id_number = ""
    if raw_id:
        try:
            id_number = personal_data.validate_id_number(raw_id, today)
        except ValidationError as exc:
            errors.setdefault("id_number", []).extend(exc.messages)
    elif public:
        errors.setdefault("id_number", []).append(_("Enter your ID card number."))
    phone, why = personal_data.check_phone(values.clean_text(data.get("phone"), 30))
    if not phone:
        errors.setdefault("phone", []).append(_("Enter a phone number the union can call."))
    elif why:
        errors.setdefault("phone", []).append(why)
    enterprise = data.get("enterprise")
    if enterprise is not None and not isinstance(enterprise, Enterprise):
        enterprise = Enterprise.objects.filter(pk=enterprise).first()
        if enterprise is None:
            errors.setdefault("enterprise", []).append(_("Choose an enterprise of the registry."))
    employer_name = values.clean_text(data.get("employer_name"), 200)
    if enterprise is None and not employer_name and "enterprise" not in errors:
        errors.setdefault("employer_name", []).append(
            _("Choose the enterprise from the registry or write the employer's name.")
        )
    town = data.get("town")
    if town is not None and not isinstance(town, Area):
        town = Area.objects.filter(pk=town, kind=Area.Kind.TOWN).first()
        if town is None:
            errors.setdefault("town", []).append(_("Choose a town."))
    facts = values.clean_text(data.get("facts"), rules.MAX_TEXT)
    if not facts:
        errors.setdefault("facts", []).append(_("Say what happened."))
    claims = values.clean_text(data.get("claims"), rules.MAX_TEXT)
    if not claims:
        errors.setdefault("claims", []).append(_("Say what you ask for."))
    kind = data.get("kind") or ""
    if kind not in AidKind.values:
        errors.setdefault("kind", []).append(_("Choose the kind of help."))
    return {
        "name": name,
        "id_number": id_number,
        "phone": phone,
        "enterprise": enterprise,
        "employer_name": employer_name or (enterprise.name if enterprise else ""),
        "town": town or (enterprise.town if enterprise else None),
        "facts": facts,
        "claims": claims,
        "kind": kind,
    }


@transaction.atomic
def register_request(
    principal, *, channel: str = LegalAidRequest.Channel.COUNTER, consent: bool = False, **data
):
    """A request for legal aid, routed to the handling union (`selectors.handling_union`), with
    the decision deadline of the policy in force on the day of receipt. Returns (request, access
    code); the code is shown once and only its hash is kept."""
    public = principal is ANONYMOUS
    if public:
        channel = LegalAidRequest.Channel.ONLINE
    else:
        _require(principal, "legalaid.register_request")
    today = _today()
    errors: dict = {}
    if channel not in LegalAidRequest.Channel.values:
        errors["channel"] = [_("Choose the channel.")]
    if not consent:
        errors["consent"] = [
            _(
                "The union can handle the request only with the worker's consent to the processing of their personal data (%(source)s)."
            )
            % {"source": rules.CONSENT_SOURCE}
        ]
    clean = _clean(data, errors, today=today, public=public)
    raise_fields(errors)
    union = selectors.handling_union(clean["enterprise"], clean["town"])
    if union is None:
        raise DomainError(
            _("No union of the park can take the request: the park federation is not registered.")
        )
    if (
        not public
        and not principal.is_system
        and not principal.sees_everything
        and not principal.is_api_client
    ):
        # A union official registers for their own union, or a union below it.
        own = principal.organisation_ids(Role.UNION_OFFICIAL)
        if union.organisation_id not in own and (
            union.parent is None or union.parent.organisation_id not in own
        ):
            raise DomainError(
                _(
                    "This request goes to %(union)s, which is not your union; tell the worker to ask there or use the online form."
                )
                % {"union": union.name},
                field="enterprise",
            )
    policy = selectors.policy_in_force(today)
    code = new_access_code()
    request = LegalAidRequest.objects.create(
        serial=_next_serial(today),
        access_code_hash=rules.access_code_hash(code),
        channel=channel,
        received_on=today,
        enterprise=clean["enterprise"],
        employer_name=clean["employer_name"],
        town=clean["town"],
        facts=clean["facts"],
        claims=clean["claims"],
        kind=clean["kind"],
        union=union,
        decision_due_on=rules.decision_due(policy, today),
        consent_at=timezone.now(),
        registered_by=_user(principal),
    )
    applicant = Applicant.objects.create(
        request=request,
        name=clean["name"],
        id_number=clean["id_number"],
        id_number_hash=personal_data.lookup_hash(clean["id_number"]) if clean["id_number"] else "",
        phone=clean["phone"],
    )
    request.history.create(
        action="register",
        from_status="",
        to_status=S.RECEIVED,
        actor=_user(principal),
        actor_label=principal.label,
    )
    audit.record("legalaid.register", request, after=audit.snapshot(request, exclude=("access_code_hash",)))
    audit.record("legalaid.register_applicant", applicant, after={"name": applicant.name}, only_changes=False)
    officials = union_selectors.officials_of([union.pk]).get(union.pk, [])
    notify(
        officials,
        title=gettext_lazy("New legal-aid request"),
        body=lambda: (
            _("%(serial)s: decide by %(date)s.") % {"serial": request.serial, "date": request.decision_due_on}
        ),
        link=_link(request),
    )
    figures_changed(selectors.FIGURES_TOPIC)
    return request, code


def apply_online(**data):
    """A worker's request through the public form (no account)."""
    return register_request(ANONYMOUS, **data)


def _act(
    principal, request: LegalAidRequest, action: str, *, reason: str = "", changes=None
) -> LegalAidRequest:
    result = transition(request, WORKFLOW, action, principal, reason=reason, changes=changes or {})
    figures_changed(selectors.FIGURES_TOPIC)
    return result


@transaction.atomic
def accept(principal, request: LegalAidRequest, *, lawyer: Lawyer | None = None) -> LegalAidRequest:
    """The union takes the request: the closing deadline (policy) runs from today."""
    today = _today()
    policy = selectors.policy_in_force(request.received_on)
    changes = {"decided_on": today, "due_on": rules.close_due(policy, today)}
    if lawyer is not None:
        _check_lawyer(request, lawyer)
        changes["lawyer"] = lawyer
    return _act(principal, request, "accept", changes=changes)


@transaction.atomic
def refuse(principal, request: LegalAidRequest, *, reason: str) -> LegalAidRequest:
    """The union refuses, with the reason (required, shown to the worker on the tracking page)."""
    reason = values.clean_text(reason, rules.MAX_TEXT)
    if not reason:
        raise DomainError(_("Give the reason for refusing; the worker reads it."), field="reason")
    return _act(
        principal,
        request,
        "refuse",
        reason=reason,
        changes={"decided_on": _today(), "refusal_reason": reason},
    )


@transaction.atomic
def withdraw(principal, request: LegalAidRequest, *, reason: str) -> LegalAidRequest:
    return _act(
        principal,
        request,
        "withdraw",
        reason=values.clean_text(reason, rules.MAX_TEXT),
        changes={"outcome": LegalAidRequest.Outcome.WITHDRAWN, "closed_on": _today()},
    )


@transaction.atomic
def close(
    principal, request: LegalAidRequest, *, outcome: str, amount_recovered=None, note: str = ""
) -> LegalAidRequest:
    """Close an accepted request with its outcome and the amount recovered (yuan, may be empty)."""
    errors: dict = {}
    if outcome not in LegalAidRequest.Outcome.values:
        errors["outcome"] = [_("Choose the outcome.")]
    amount = None
    if amount_recovered not in (None, ""):
        amount = values.clean_amount(amount_recovered, "amount_recovered", errors, maximum=rules.MAX_AMOUNT)
    raise_fields(errors)
    return _act(
        principal,
        request,
        "close",
        reason=values.clean_text(note, rules.MAX_TEXT),
        changes={"outcome": outcome, "amount_recovered": amount, "closed_on": _today()},
    )


def _check_lawyer(request: LegalAidRequest, lawyer: Lawyer) -> None:
    if not lawyer.is_active or (lawyer.union_id is not None and lawyer.union_id != request.union_id):
        raise DomainError(_("Choose an active lawyer or volunteer of the handling union."), field="lawyer")


def _lock_for_work(principal, request: LegalAidRequest) -> LegalAidRequest:
    _require(principal, "legalaid.handle_request")
    locked = LegalAidRequest.objects.select_for_update().select_related("union").get(pk=request.pk)
    if not acts_on(principal, locked):
        raise NotAllowed(_("This request is handled by another union."))
    if not can_handle(principal, locked):
        raise DomainError(_("Only an accepted request gets a lawyer or a linked case."))
    return locked


@transaction.atomic
def assign_lawyer(principal, request: LegalAidRequest, lawyer: Lawyer | None) -> LegalAidRequest:
    locked = _lock_for_work(principal, request)
    if lawyer is not None:
        _check_lawyer(locked, lawyer)
    before = audit.snapshot(locked, fields=["lawyer"])
    locked.lawyer = lawyer
    locked.save(update_fields=["lawyer", "updated_at"])
    audit.record(
        "legalaid.assign_lawyer", locked, before=before, after=audit.snapshot(locked, fields=["lawyer"])
    )
    return locked


@transaction.atomic
def link_case(
    principal, request: LegalAidRequest, *, mediation_case=None, serial: str = "", case_reference: str = ""
):
    """Link the mediation case the aid supports (one the principal may link:
    `selectors.linkable_cases`, by id or serial number), and/or an arbitration or court case
    number. A case outside the union's scope is refused as if unknown."""
    locked = _lock_for_work(principal, request)
    case = None
    if mediation_case is not None or serial:
        qs = selectors.linkable_cases(principal)
        if mediation_case is not None:
            case = qs.filter(pk=getattr(mediation_case, "pk", mediation_case)).first()
        else:
            case = selectors.linkable_case_by_serial(principal, serial)
        if case is None:
            raise DomainError(
                _("No mediation case with this number is within your union's reach."), field="mediation_case"
            )
    before = audit.snapshot(locked, fields=["mediation_case", "case_reference"])
    locked.mediation_case = case
    locked.case_reference = values.clean_text(case_reference, 100)
    locked.save(update_fields=["mediation_case", "case_reference", "updated_at"])
    audit.record(
        "legalaid.link_case",
        locked,
        before=before,
        after=audit.snapshot(locked, fields=["mediation_case", "case_reference"]),
    )
    return locked


@transaction.atomic
def reissue_access_code(principal, request: LegalAidRequest) -> str:
    """A new access code for a worker who lost theirs (the old one stops working)."""
    _require(principal, "legalaid.decide_request")
    locked = LegalAidRequest.objects.select_for_update().select_related("union").get(pk=request.pk)
    if not acts_on(principal, locked):
        raise NotAllowed(_("This request is handled by another union."))
    code = new_access_code()
    locked.access_code_hash = rules.access_code_hash(code)
    locked.save(update_fields=["access_code_hash", "updated_at"])
    audit.record("legalaid.reissue_access_code", locked, after={"serial": locked.serial}, only_changes=False)
    return code


@transaction.atomic
def notify_overdue(today: dt.date | None = None) -> int:
    """The daily job: tell the handling union's officials of each decision past its deadline
    (once a day per request). Returns how many requests were notified."""
    today = today or _today()
    overdue = list(selectors.overdue_to_notify(today))
    if not overdue:
        return 0
    officials = union_selectors.officials_of({r.union_id for r in overdue})
    for r in overdue:
        notify(
            officials.get(r.union_id, []),
            title=gettext_lazy("Legal-aid decision overdue"),
            body=lambda r=r: (
                _("%(serial)s: the decision was due on %(date)s.")
                % {"serial": r.serial, "date": r.decision_due_on}
            ),
            link=_link(r),
        )
    LegalAidRequest.objects.filter(pk__in=[r.pk for r in overdue]).update(overdue_notified_on=today)
    return len(overdue)


__all__ = [
    "accept",
    "apply_online",
    "assign_lawyer",
    "close",
    "link_case",
    "notify_overdue",
    "refuse",
    "register_request",
    "reissue_access_code",
    "withdraw",
]
