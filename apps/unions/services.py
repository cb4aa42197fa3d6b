"""Writes of the union module: unions, collective contracts and their filing, workers'
congresses, expiry reminders. One function per action, in a transaction, with audit."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Membership, Organisation
from apps.accounts.roles import Role
from apps.audit import services as audit
from apps.core.cache import figures_changed
from apps.core.errors import DomainError, NotAllowed, raise_fields
from apps.core.models import Area
from apps.core.personal_data import check_phone, lookup_hash, validate_id_number
from apps.enterprises.models import Enterprise
from apps.notifications.services import notify

from . import rules, workflow
from .models import (
    CollectiveContract,
    PlatformMembership,
    PlatformWorker,
    Union,
    UnionCoverage,
    WorkersCongress,
)

UNION_FIELDS = (
    "name",
    "kind",
    "parent",
    "chair_name",
    "chair_phone",
    "founded_on",
    "members",
    "women_committee",
    "is_active",
)


# Unions ------------------------------------------------------------------------------------------


def validate_union(data: dict, enterprises, *, instance: Union | None = None) -> dict:
    errors: dict[str, list] = {}

    def err(field, message):
        errors.setdefault(field, []).append(message)

    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items() if k in UNION_FIELDS}
    kind = cleaned.get("kind", instance.kind if instance else None)
    if (instance is None or "name" in cleaned) and not cleaned.get("name"):
        err("name", _("This field is required."))
    if kind not in Union.Kind.values:
        err("kind", _("Choose the kind of union."))
    parent = cleaned.get("parent", instance.parent if instance else None)
    if parent is not None:
        if parent.kind != Union.Kind.FEDERATION:
            err("parent", _("The parent must be a federation of trade unions."))
        elif instance is not None and parent.pk == instance.pk:
            err("parent", _("A union cannot be its own parent."))
    founded_on = cleaned.get("founded_on")
    if founded_on is not None and founded_on > timezone.localdate():
        err("founded_on", _("The founding date cannot be in the future."))
    members = cleaned.get("members")
    if members is not None and (not isinstance(members, int) or members < 0):
        err("members", _("Enter a whole number, 0 or more."))
    if enterprises is not None:
        enterprises = list(enterprises)
        if kind == Union.Kind.ENTERPRISE and len(enterprises) != 1:
            err("enterprises", _("An enterprise union covers exactly one enterprise."))
        elif kind == Union.Kind.JOINT and len(enterprises) < 2:
            err("enterprises", _("A joint union covers two or more enterprises (Trade Union Law art. 11)."))
        elif kind == Union.Kind.FEDERATION and enterprises:
            err("enterprises", _("A federation covers unions, not enterprises."))
        elif kind == Union.Kind.INDUSTRY and enterprises:
            err("enterprises", _("An industry union organises workers of a trade, not enterprises."))
        taken = (
            UnionCoverage.objects.filter(enterprise__in=enterprises)
            .exclude(union=instance)
            .select_related("union", "enterprise")
        )
        for cov in taken:
            err(
                "enterprises",
                _("“%(enterprise)s” is already covered by “%(union)s”.")
                % {"enterprise": cov.enterprise.name, "union": cov.union.name},
            )
    raise_fields(errors)
    return cleaned


def _union_area(union: Union, enterprises):
    if enterprises:
        return enterprises[0].town
    if union.parent_id:
        return union.parent.organisation.area
    return union.organisation.area if union.organisation_id else None


def _sync_union_org(union: Union, enterprises) -> Organisation:
    org = union.organisation if union.organisation_id else Organisation(kind=Organisation.Kind.UNION)
    org.name = union.name
    org.parent = union.parent.organisation if union.parent_id else None
    org.area = _union_area(union, enterprises) or org.area
    org.is_active = union.is_active
    org.save()
    return org


@transaction.atomic
def create_union(principal, *, enterprises=(), **data) -> Union:
    """Register a union. An enterprise union covers one enterprise, a joint union several small
    ones (Trade Union Law art. 11), a federation none."""
    enterprises = list(enterprises)
    if not workflow.can_manage_union(principal, None, data.get("parent")):
        raise NotAllowed(_("Only park administrators and the federation register unions."))
    cleaned = validate_union(data, enterprises)
    union = Union(**cleaned)
    union.organisation = _sync_union_org(union, enterprises)
    union.save()
    UnionCoverage.objects.bulk_create([UnionCoverage(union=union, enterprise=e) for e in enterprises])
    audit.record(
        "unions.create",
        union,
        after=audit.snapshot(union) | {"enterprises": [str(e.pk) for e in enterprises]},
    )
    return union


@transaction.atomic
def update_union(principal, union: Union, *, enterprises=None, **changes) -> Union:
    locked = Union.objects.select_for_update().get(pk=union.pk)
    if not workflow.can_manage_union(principal, locked):
        raise NotAllowed(_("You may edit only your own union and the unions of your federation."))
    if enterprises is not None:
        enterprises = list(enterprises)
    current = list(Enterprise.objects.filter(union_coverage__union=locked))
    cleaned = validate_union(changes, enterprises if enterprises is not None else None, instance=locked)
    if enterprises is None and "kind" in cleaned and cleaned["kind"] != locked.kind:
        validate_union({"kind": cleaned["kind"]}, current, instance=locked)
    before = audit.snapshot(locked) | {"enterprises": sorted(str(e.pk) for e in current)}
    for name, value in cleaned.items():
        setattr(locked, name, value)
    if enterprises is not None:
        UnionCoverage.objects.filter(union=locked).exclude(enterprise__in=enterprises).delete()
        have = set(UnionCoverage.objects.filter(union=locked).values_list("enterprise_id", flat=True))
        UnionCoverage.objects.bulk_create(
            [UnionCoverage(union=locked, enterprise=e) for e in enterprises if e.pk not in have]
        )
        current = enterprises
    locked.organisation = _sync_union_org(locked, current)
    locked.save()
    audit.record(
        "unions.update",
        locked,
        before=before,
        after=audit.snapshot(locked) | {"enterprises": sorted(str(e.pk) for e in current)},
    )
    return locked


# Collective contracts ------------------------------------------------------------------------------

CC_FIELDS = (
    "union",
    "congress",
    "kind",
    "title",
    "employer_representative",
    "worker_representative",
    "signed_on",
    "starts_on",
    "ends_on",
    "representatives_total",
    "representatives_present",
    "representatives_approving",
)


def validate_collective_contract(
    data: dict, *, instance: CollectiveContract | None = None, enterprise: Enterprise | None = None
) -> dict:
    """Dates, term, the adopting congress meeting and the workers' congress vote (集体合同规定 arts.
    36, 38). `enterprise`: the contract's (the instance's when correcting one)."""
    errors: dict[str, list] = {}

    def err(field, message):
        errors.setdefault(field, []).append(str(message))

    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items() if k in CC_FIELDS}

    def value(name):
        return cleaned[name] if name in cleaned else getattr(instance, name, None)

    for name in (
        "kind",
        "title",
        "employer_representative",
        "worker_representative",
        "signed_on",
        "starts_on",
        "ends_on",
    ):
        if value(name) in (None, ""):
            err(name, _("This field is required."))
    if value("kind") and value("kind") not in CollectiveContract.Kind.values:
        err("kind", _("Choose the kind of contract."))
    today = timezone.localdate()
    signed_on, starts_on, ends_on = value("signed_on"), value("starts_on"), value("ends_on")
    if signed_on and signed_on > today:
        err("signed_on", _("The signing date cannot be in the future."))
    if starts_on and ends_on:
        if ends_on <= starts_on:
            err("ends_on", _("The term must end after it starts."))
        elif ends_on > rules.add_years(starts_on, rules.MAX_TERM_YEARS):
            err(
                "ends_on",
                _("A collective contract runs for at most %(years)d years (%(source)s).")
                % {"years": rules.MAX_TERM_YEARS, "source": rules.TERM_SOURCE},
            )
    if signed_on and starts_on and starts_on < signed_on - dt.timedelta(days=366):
        err("starts_on", _("The term cannot start more than a year before signing."))
    if enterprise is None and instance is not None:
        enterprise = instance.enterprise
    attendance = _check_adopting_meeting(cleaned, value, enterprise, creating=instance is None)
    for name, messages in attendance.items():
        for message in messages:
            err(name, message)
    counts = {}
    for name in ("representatives_total", "representatives_present", "representatives_approving"):
        v = value(name)
        if not isinstance(v, int) or v < 0:
            err(name, _("Enter a whole number, 0 or more."))
        else:
            counts[name] = v
    if len(counts) == 3:
        total, present, approving = (
            counts["representatives_total"],
            counts["representatives_present"],
            counts["representatives_approving"],
        )
        if attendance:
            pass  # the figures contradict the meeting's record: the vote on them means nothing
        elif total == 0:
            err("representatives_total", _("Enter the number of representatives."))
        elif present > total:
            err("representatives_present", _("More representatives present than there are representatives."))
        elif approving > present:
            err("representatives_approving", _("More representatives approving than present."))
        else:
            result = rules.vote_result(total, present, approving)
            if not result.quorum:
                err(
                    "representatives_present",
                    _(
                        "Not adopted: fewer than two thirds of the %(total)d representatives were present (%(source)s)."
                    )
                    % {"total": total, "source": rules.VOTE_SOURCE},
                )
            if not result.majority:
                err(
                    "representatives_approving",
                    _(
                        "Not adopted: %(approving)d of %(total)d is not more than half of all representatives (%(source)s)."
                    )
                    % {"approving": approving, "total": total, "source": rules.VOTE_SOURCE},
                )
    raise_fields(errors)
    return cleaned


def _check_adopting_meeting(cleaned: dict, value, enterprise: Enterprise | None, *, creating: bool) -> dict:
    """The contract's attendance is the adopting meeting's (集体合同规定 art. 36, rules.
    attendance_errors). A linked meeting must be the enterprise's and held on or before signing;
    its figures fill those not given (on creating, or when the link is new). With no meeting
    linked, a meeting recorded on the signing date is checked the same way (the message suggests
    linking it). Returns {field: [messages]}; fills `cleaned` with the meeting's figures."""
    meeting = value("congress")
    signed_on = value("signed_on")
    if meeting is not None:
        if enterprise is None:
            return {}
        errors = rules.meeting_link_errors(meeting, enterprise_id=enterprise.pk, signed_on=signed_on)
        if errors:
            return errors
        if creating or "congress" in cleaned:
            for name, figure in rules.adopting_meeting_figures(meeting).items():
                if cleaned.get(name) is None:
                    cleaned[name] = figure
        return rules.attendance_errors(_figures(value), meeting, linked=True)
    if enterprise is None or signed_on is None:
        return {}
    figures = _figures(value)
    if not figures:
        return {}
    same_day = list(
        WorkersCongress.objects.filter(enterprise=enterprise, held_on=signed_on).order_by("created_at")
    )
    results = [rules.attendance_errors(figures, m, linked=False) for m in same_day]
    if not results or not all(results):
        return {}  # no meeting that day, or one whose record agrees
    return results[0]


def _figures(value) -> dict:
    """The contract's attendance figures that are whole numbers (others are refused elsewhere)."""
    figures = {}
    for name, _meeting_field in rules.ATTENDANCE_FIELDS:
        figure = value(name)
        if isinstance(figure, int) and not isinstance(figure, bool):
            figures[name] = figure
    return figures


def _check_contract_union(enterprise: Enterprise, union: Union | None) -> None:
    """The workers' side is the grassroots union covering the enterprise, or a federation (for
    regional or industry contracts)."""
    if union is None or union.kind == Union.Kind.FEDERATION:
        return
    if not UnionCoverage.objects.filter(enterprise=enterprise, union=union).exists():
        raise DomainError(
            _("“%(union)s” does not cover “%(enterprise)s”.")
            % {"union": union.name, "enterprise": enterprise.name},
            field="union",
        )


@transaction.atomic
def create_collective_contract(principal, enterprise: Enterprise, **data) -> CollectiveContract:
    """Record a collective contract adopted by the workers' congress."""
    if not workflow.can_write_contract(principal, enterprise):
        raise NotAllowed(
            _("Only the parties, the federation and park administrators record collective contracts.")
        )
    cleaned = validate_collective_contract(data, enterprise=enterprise)
    union = cleaned.get("union")
    _check_contract_union(enterprise, union)
    if union is None:
        coverage = UnionCoverage.objects.filter(enterprise=enterprise).select_related("union").first()
        cleaned["union"] = coverage.union if coverage else None
    contract = CollectiveContract.objects.create(enterprise=enterprise, **cleaned)
    audit.record("unions.create_collective_contract", contract, after=audit.snapshot(contract))
    return contract


@transaction.atomic
def update_collective_contract(principal, contract: CollectiveContract, **changes) -> CollectiveContract:
    """Correct a contract not yet filed; once filed, the HR bureau holds the text."""
    locked = CollectiveContract.objects.select_for_update().get(pk=contract.pk)
    if not workflow.can_write_contract(principal, locked.enterprise):
        raise NotAllowed(
            _("Only the parties, the federation and park administrators record collective contracts.")
        )
    if rules.is_filed(locked):
        raise DomainError(_("A filed contract cannot be changed; record a new one for the changed text."))
    cleaned = validate_collective_contract(changes, instance=locked)
    if "union" in cleaned:
        _check_contract_union(locked.enterprise, cleaned["union"])
    before = audit.snapshot(locked)
    for name, value in cleaned.items():
        setattr(locked, name, value)
    locked.save()
    audit.record("unions.update_collective_contract", locked, before=before, after=audit.snapshot(locked))
    return locked


def _party_users(contract: CollectiveContract):
    orgs = [contract.enterprise.organisation_id]
    if contract.union_id:
        orgs.append(contract.union.organisation_id)
    return [
        m.user
        for m in Membership.objects.filter(
            organisation_id__in=orgs, role__in=[Role.ENTERPRISE_HR, Role.UNION_OFFICIAL]
        ).select_related("user")
    ]


@transaction.atomic
def file_collective_contract(
    principal, contract: CollectiveContract, *, filed_on: dt.date
) -> CollectiveContract:
    """Record that the HR bureau received the text (art. 42). It takes effect 15 days later unless
    an objection is recorded (art. 47). Filing again after an objection restarts the review."""
    if not workflow.can_review_contract(principal):
        raise NotAllowed(_("Only the HR bureau records filings and objections."))
    locked = CollectiveContract.objects.select_for_update().get(pk=contract.pk)
    if rules.is_filed(locked):
        raise DomainError(_("This contract is already filed."), code="invalid_transition")
    if filed_on is None:
        raise DomainError(_("Enter the filing date."), field="filed_on")
    if filed_on < locked.signed_on:
        raise DomainError(_("A contract cannot be filed before it is signed."), field="filed_on")
    if filed_on > timezone.localdate():
        raise DomainError(_("The filing date cannot be in the future."), field="filed_on")
    before = audit.snapshot(locked)
    locked.filed_on = filed_on
    locked.objection_on = None
    locked.objection_note = ""
    locked.effective_on = rules.effective_date(filed_on)
    locked.save()
    late = filed_on > rules.filing_due(locked.signed_on)
    audit.record(
        "unions.file_collective_contract",
        locked,
        before=before,
        after=audit.snapshot(locked),
        note=f"late ({rules.FILING_SOURCE})" if late else "",
    )
    effective_on = locked.effective_on
    notify(
        _party_users(locked),
        title=lambda: _("Collective contract filed: %(title)s") % {"title": locked.title},
        body=lambda: (
            _(
                "Filed on %(filed)s. It takes effect on %(effective)s unless the HR bureau objects (%(source)s)."
            )
            % {"filed": filed_on, "effective": effective_on, "source": rules.REVIEW_SOURCE}
        ),
        link=f"/unions/contracts/{locked.pk}/",
    )
    return locked


@transaction.atomic
def record_objection(
    principal, contract: CollectiveContract, *, objection_on: dt.date, note: str
) -> CollectiveContract:
    """The HR bureau objects within 15 days of receiving the text (art. 47): it does not take effect."""
    if not workflow.can_review_contract(principal):
        raise NotAllowed(_("Only the HR bureau records filings and objections."))
    locked = CollectiveContract.objects.select_for_update().get(pk=contract.pk)
    note = (note or "").strip()
    errors = {}
    if not locked.filed_on:
        raise DomainError(_("Only a filed contract can receive an objection."), code="invalid_transition")
    if locked.objection_on:
        raise DomainError(_("An objection is already recorded."), code="invalid_transition")
    if objection_on is None:
        errors["objection_on"] = [_("Enter the date of the objection.")]
    elif objection_on < locked.filed_on or objection_on > locked.effective_on:
        errors["objection_on"] = [
            _("An objection must come within %(days)d days of filing, by %(date)s (%(source)s).")
            % {"days": rules.REVIEW_DAYS, "date": locked.effective_on, "source": rules.REVIEW_SOURCE}
        ]
    elif objection_on > timezone.localdate():
        errors["objection_on"] = [_("The date of the objection cannot be in the future.")]
    if not note:
        errors["objection_note"] = [_("Give the reasons for the objection.")]
    raise_fields(errors)
    before = audit.snapshot(locked)
    locked.objection_on = objection_on
    locked.objection_note = note
    locked.effective_on = None
    locked.save()
    audit.record("unions.record_objection", locked, before=before, after=audit.snapshot(locked), note=note)
    notify(
        _party_users(locked),
        title=lambda: _("Objection to collective contract: %(title)s") % {"title": locked.title},
        body=note,
        link=f"/unions/contracts/{locked.pk}/",
    )
    return locked


def send_expiry_reminders(today: dt.date | None = None) -> int:
    """Remind the parties of contracts in force that end within 3 months (art. 40: either party may
    then ask to renegotiate). Idempotent: each contract is reminded once."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=rules.RENEWAL_NOTICE_DAYS)
    due = CollectiveContract.objects.filter(
        effective_on__isnull=False,
        effective_on__lte=today,
        ends_on__gte=today,
        ends_on__lte=horizon,
        expiry_reminded_on__isnull=True,
    ).select_related("enterprise", "union")
    sent = 0
    for contract in due:
        with transaction.atomic():
            locked = CollectiveContract.objects.select_for_update().get(pk=contract.pk)
            if locked.expiry_reminded_on:
                continue
            notify(
                _party_users(contract),
                title=lambda c=contract: (
                    _("Collective contract ends on %(date)s: %(title)s")
                    % {"date": c.ends_on, "title": c.title}
                ),
                body=lambda: (
                    _("Either party may now ask to renegotiate or renew it (%(source)s).")
                    % {"source": rules.RENEWAL_SOURCE}
                ),
                link=f"/unions/contracts/{contract.pk}/",
            )
            locked.expiry_reminded_on = today
            locked.save(update_fields=["expiry_reminded_on", "updated_at"])
            audit.record("unions.expiry_reminder", locked, note=str(contract.ends_on))
            sent += 1
    return sent


# Workers' congress ---------------------------------------------------------------------------------


@transaction.atomic
def record_congress(principal, enterprise: Enterprise, **data) -> WorkersCongress:
    """Record a meeting of the workers' congress. A meeting without two thirds of the
    representatives is recorded but marked not quorate (企业民主管理规定 art. 17)."""
    if not workflow.can_write_congress(principal, enterprise):
        raise NotAllowed(
            _("Only the enterprise, its union and park administrators record congress meetings.")
        )
    errors: dict[str, list] = {}
    held_on = data.get("held_on")
    if held_on is None:
        errors["held_on"] = [_("This field is required.")]
    elif held_on > timezone.localdate():
        errors["held_on"] = [_("The meeting date cannot be in the future.")]
    total, present = data.get("representatives_total"), data.get("representatives_present")
    if not isinstance(total, int) or total <= 0:
        errors["representatives_total"] = [_("Enter the number of representatives.")]
    if not isinstance(present, int) or present < 0:
        errors["representatives_present"] = [_("Enter a whole number, 0 or more.")]
    elif isinstance(total, int) and present > total:
        errors["representatives_present"] = [
            _("More representatives present than there are representatives.")
        ]
    raise_fields(errors)
    congress = WorkersCongress.objects.create(
        enterprise=enterprise,
        held_on=held_on,
        session=(data.get("session") or "").strip(),
        representatives_total=total,
        representatives_present=present,
        resolutions=(data.get("resolutions") or "").strip(),
    )
    audit.record("unions.record_congress", congress, after=audit.snapshot(congress))
    return congress


# New forms of employment (新就业形态劳动者, issue 19) ------------------------------------------------

#: Never in the audit trail: the number is encrypted at rest and its hash is a look-up key.
_WORKER_PRIVATE = ("id_number", "id_number_hash")


def _worker_snapshot(worker: PlatformWorker) -> dict:
    return audit.snapshot(worker, exclude=_WORKER_PRIVATE) | {
        "platforms": sorted(str(pk) for pk in worker.platforms.values_list("pk", flat=True))
    }


def _check_join(worker: PlatformWorker | None, union: Union | None, joined_on, today) -> dict:
    """Why the worker may not join `union` on `joined_on` ({field: [messages]}): a union of a kind
    platform workers join (工会法第十一条), active; one current membership at a time."""
    errors: dict[str, list] = {}
    if union is None:
        errors["union"] = [_("Choose the union.")]
    else:
        ok, reason, _source = rules.may_join(union.kind, union.is_active)
        if not ok:
            errors["union"] = [reason]
    date_error = rules.membership_dates_error(joined_on, today)
    if date_error:
        errors["joined_on"] = [date_error]
    if worker is not None:
        current = (
            PlatformMembership.objects.filter(worker=worker, left_on__isnull=True)
            .select_related("union")
            .first()
        )
        if current is not None:
            errors.setdefault("union", []).append(
                _(
                    "%(name)s is already a member of “%(union)s” since %(joined)s: record that they left "
                    "it before joining another union (%(source)s)."
                )
                % {
                    "name": worker.name,
                    "union": current.union.name,
                    "joined": current.joined_on,
                    "source": rules.ONE_MEMBERSHIP_SOURCE,
                }
            )
        else:
            last = PlatformMembership.objects.filter(worker=worker).order_by("-left_on").first()
            if last is not None and joined_on is not None and last.left_on and joined_on < last.left_on:
                errors.setdefault("joined_on", []).append(
                    _("They left their last union on %(left)s: joining again starts on or after that day.")
                    % {"left": last.left_on}
                )
    return errors


@transaction.atomic
def register_platform_worker(
    principal,
    *,
    name,
    id_number,
    town,
    occupation,
    relationship,
    platforms,
    phone="",
    union=None,
    joined_on=None,
) -> PlatformWorker:
    """Register a worker of the new forms of employment (网约车司机, 快递员, 外卖骑手...) with the
    platforms they work through and the status of their labour relationship (人社部发〔2021〕56号).
    `union`: the registering union (required for union officials: their own or one below it);
    with `joined_on`, the worker also joins it that day (`join_union`'s rules)."""
    if not workflow.can_register_platform_workers(principal):
        raise NotAllowed(_("Only the union and park administrators register platform workers."))
    if union is not None and not workflow.can_enrol(principal, union):
        raise NotAllowed(
            _("You may register workers only into your own union and the unions of your federation.")
        )
    today = timezone.localdate()
    errors: dict[str, list] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("This field is required.")]
    number = None
    try:
        number = validate_id_number(id_number or "", today)
    except ValidationError as exc:
        errors["id_number"] = list(exc.messages)
    if number and PlatformWorker.objects.filter(id_number_hash=lookup_hash(number)).exists():
        errors["id_number"] = [_("A platform worker with this ID number is already registered.")]
    phone, phone_error = check_phone(phone)
    if phone_error:
        errors["phone"] = [phone_error]
    if not isinstance(town, Area) or town.kind != Area.Kind.TOWN:
        errors["town"] = [_("Choose the town where they work.")]
    if occupation not in PlatformWorker.Occupation.values:
        errors["occupation"] = [_("Choose the occupation.")]
    if relationship not in PlatformWorker.Relationship.values:
        errors["relationship"] = [
            _("Choose the status of the labour relationship (%(source)s).")
            % {"source": rules.RELATIONSHIP_SOURCE}
        ]
    platforms = list(platforms or [])
    if not platforms:
        errors["platforms"] = [_("Choose the platform(s) they work through.")]
    elif any(not p.is_active for p in platforms):
        errors["platforms"] = [_("A platform that is no longer active cannot be chosen.")]
    if union is None and not (principal.is_park_admin or principal.is_api_client):
        errors["union"] = [_("Choose the union that registers the worker.")]
    if joined_on is not None:
        errors |= {k: v for k, v in _check_join(None, union, joined_on, today).items() if k not in errors}
    raise_fields(errors)
    worker = PlatformWorker(
        name=name,
        id_number=number,
        id_number_hash=lookup_hash(number),
        phone=phone,
        town=town,
        occupation=occupation,
        relationship=relationship,
        registered_by=union,
    )
    try:
        with transaction.atomic():
            worker.save()
    except IntegrityError as exc:  # the same number registered at the same moment
        raise DomainError(
            _("A platform worker with this ID number is already registered."), field="id_number"
        ) from exc
    worker.platforms.set(platforms)
    audit.record("unions.register_platform_worker", worker, after=_worker_snapshot(worker))
    if joined_on is not None:
        _enrol(worker, union, joined_on)
    figures_changed("newforms")
    return worker


#: What `update_platform_worker` corrects (the union membership has its own actions).
PLATFORM_WORKER_FIELDS = ("name", "id_number", "phone", "town", "occupation", "relationship", "platforms")


@transaction.atomic
def update_platform_worker(principal, worker: PlatformWorker, **changes) -> PlatformWorker:
    """Correct a registered platform worker: name, ID number (validated again, refused when another
    worker has it), phone, town, occupation, labour relationship, platforms. Fields not given stay
    as they are; an empty `id_number` keeps the number. Audited without the ID number (only that it
    changed)."""
    unknown = set(changes) - set(PLATFORM_WORKER_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    if not workflow.can_edit_platform_worker(principal, worker):
        raise NotAllowed(_("Only the registering union and park administrators correct this worker."))
    worker = PlatformWorker.objects.select_for_update().get(pk=worker.pk)
    before = _worker_snapshot(worker)
    today = timezone.localdate()
    errors: dict[str, list] = {}
    if "name" in changes:
        name = (changes["name"] or "").strip()
        if not name:
            errors["name"] = [_("This field is required.")]
        worker.name = name
    number_changed = False
    if (changes.get("id_number") or "").strip():
        try:
            number = validate_id_number(changes["id_number"], today)
        except ValidationError as exc:
            errors["id_number"] = list(exc.messages)
        else:
            digest = lookup_hash(number)
            if digest != worker.id_number_hash:
                if PlatformWorker.objects.filter(id_number_hash=digest).exclude(pk=worker.pk).exists():
                    errors["id_number"] = [_("A platform worker with this ID number is already registered.")]
                worker.id_number, worker.id_number_hash, number_changed = number, digest, True
    if "phone" in changes:
        phone, phone_error = check_phone(changes["phone"])
        if phone_error:
            errors["phone"] = [phone_error]
        worker.phone = phone
    if "town" in changes:
        town = changes["town"]
        if not isinstance(town, Area) or town.kind != Area.Kind.TOWN:
            errors["town"] = [_("Choose the town where they work.")]
        else:
            worker.town = town
    if "occupation" in changes:
        if changes["occupation"] not in PlatformWorker.Occupation.values:
            errors["occupation"] = [_("Choose the occupation.")]
        worker.occupation = changes["occupation"]
    if "relationship" in changes:
        if changes["relationship"] not in PlatformWorker.Relationship.values:
            errors["relationship"] = [
                _("Choose the status of the labour relationship (%(source)s).")
                % {"source": rules.RELATIONSHIP_SOURCE}
            ]
        worker.relationship = changes["relationship"]
    platforms = None
    if "platforms" in changes:
        platforms = list(changes["platforms"] or [])
        current = set(worker.platforms.values_list("pk", flat=True))
        if not platforms:
            errors["platforms"] = [_("Choose the platform(s) they work through.")]
        elif any(not p.is_active and p.pk not in current for p in platforms):
            errors["platforms"] = [_("A platform that is no longer active cannot be chosen.")]
    raise_fields(errors)
    try:
        with transaction.atomic():
            worker.save()
    except IntegrityError as exc:  # the same number registered at the same moment
        raise DomainError(
            _("A platform worker with this ID number is already registered."), field="id_number"
        ) from exc
    if platforms is not None:
        worker.platforms.set(platforms)
    after = _worker_snapshot(worker)
    if number_changed:
        before["id_number_changed"], after["id_number_changed"] = False, True
    if before != after:
        audit.record("unions.update_platform_worker", worker, before=before, after=after)
        figures_changed("newforms")
    return worker


def _enrol(worker: PlatformWorker, union: Union, joined_on) -> PlatformMembership:
    try:
        with transaction.atomic():
            membership = PlatformMembership.objects.create(worker=worker, union=union, joined_on=joined_on)
    except IntegrityError as exc:  # another join of the same worker at the same moment
        raise DomainError(_("They are already a member of a union."), field="union") from exc
    audit.record("unions.join_union", membership, after=audit.snapshot(membership))
    return membership


@transaction.atomic
def join_union(principal, worker: PlatformWorker, union: Union, *, joined_on) -> PlatformMembership:
    """Enrol a registered platform worker into a joint union, an industry union or the federation
    (工会法第三条, 第十一条); refused while they are a member of another union."""
    if not workflow.can_enrol(principal, union):
        raise NotAllowed(
            _("You may enrol workers only into your own union and the unions of your federation.")
        )
    locked = PlatformWorker.objects.select_for_update().get(pk=worker.pk)
    raise_fields(_check_join(locked, union, joined_on, timezone.localdate()))
    membership = _enrol(locked, union, joined_on)
    figures_changed("newforms")
    return membership


@transaction.atomic
def leave_union(principal, worker: PlatformWorker, *, left_on, reason="") -> PlatformMembership:
    """Record that the worker left their union (membership ended, e.g. moved away or transferred)."""
    locked = PlatformWorker.objects.select_for_update().get(pk=worker.pk)
    membership = (
        PlatformMembership.objects.select_for_update()
        .filter(worker=locked, left_on__isnull=True)
        .select_related("union")
        .first()
    )
    if membership is None:
        raise DomainError(
            _("%(name)s is not a member of a union.") % {"name": locked.name}, code="invalid_transition"
        )
    if not workflow.can_enrol(principal, membership.union):
        raise NotAllowed(_("Only the worker's union, its federation and park administrators record leaving."))
    date_error = rules.leave_date_error(membership.joined_on, left_on, timezone.localdate())
    if date_error:
        raise DomainError(date_error, field="left_on")
    before = audit.snapshot(membership)
    membership.left_on = left_on
    membership.leave_reason = (reason or "").strip()[:200]
    membership.save()
    audit.record("unions.leave_union", membership, before=before, after=audit.snapshot(membership))
    figures_changed("newforms")
    return membership


__all__ = [
    "create_union",
    "update_union",
    "create_collective_contract",
    "update_collective_contract",
    "file_collective_contract",
    "record_objection",
    "send_expiry_reminders",
    "record_congress",
    "register_platform_worker",
    "update_platform_worker",
    "join_union",
    "leave_union",
]
