"""Every write of harmony certification, one function per business action.

Each runs in a transaction, checks who may act, writes an audit event, and changes an
application's or certificate's status only through the transition tables in workflow.py.
The rules and their sources:

- Submission (programme part 4 (2) and the rule set): `submission_problems` gathers every reason
  at once: the self-evaluation complete, the group ratio, the disclosure, the enterprise's size and
  age, the ladder and the waiting time, veto events in their look-back window, one open application
  per round.
- Public notice (programme part 4 (3)): `publish_notice` computes start and end in the rule set's
  unit; objections from anyone block certification until resolved; `close_notices` (daily job)
  certifies what is left.
- Certificates: `issue_certificate` numbers and dates the title and queues its PDF; annual reports
  keep it alive (`lapse_titles`, daily job); `revoke` and `record_veto_event` end it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import Membership
from apps.accounts.roles import Role
from apps.audit import services as audit
from apps.audit.history import transition
from apps.core import personal_data
from apps.core.calendar import Deadline, DeadlineUnit, is_working_day
from apps.core.errors import DomainError, InvalidTransition, NotAllowed, raise_fields
from apps.core.principal import SYSTEM
from apps.core.uploads import check_upload
from apps.enterprises.choices import Status as EnterpriseStatus
from apps.enterprises.models import Enterprise
from apps.notifications.services import notify
from apps.unions import rules as union_rules

from . import rules
from .models import (
    AnnualReport,
    Application,
    Certificate,
    Evidence,
    GroupMember,
    Item,
    ItemScore,
    Level,
    Objection,
    PublicNotice,
    Round,
    RuleSet,
    VetoEvent,
    VetoRule,
)
from .workflow import CERTIFICATE_WORKFLOW, WORKFLOW

S = Application.Status

# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _with_source(message, source) -> str:
    return f"{message} ({source})"


def _rule_set_source(rule_set: RuleSet) -> str:
    return _("rule set “%(name)s”, version %(version)s") % {
        "name": rule_set.name,
        "version": rule_set.version,
    }


def _today() -> dt.date:
    return timezone.localdate()


def _user(principal):
    user = principal.user
    return user if user is not None and user.is_authenticated else None


def can_prepare(principal, application: Application) -> bool:
    """Only the enterprise's own HR prepare its self-evaluation (the enterprise scores itself)."""
    return (
        not principal.is_api_client
        and principal.user is not None
        and principal.user.has_perm("certification.prepare_application")
        and application.enterprise.organisation_id in principal.organisation_ids(Role.ENTERPRISE_HR)
    )


def can_review(principal) -> bool:
    if principal.is_api_client:
        return principal.has_scope("certification:write")
    return bool(principal.user and principal.user.has_perm("certification.review_application"))


#: The self-evaluation is the enterprise's to change only while it is a draft or returned.
EDITABLE = (S.DRAFT, S.RETURNED)


def may_edit_self_evaluation(principal, application: Application) -> bool:
    return application.status in EDITABLE and can_prepare(principal, application)


def next_level(enterprise: Enterprise, rule_set: RuleSet) -> Level | None:
    """The level the enterprise may apply for next: one above its valid title (levels are climbed
    one at a time), or the lowest level without a title. None when it holds the highest."""
    held = held_certificate(enterprise)
    return rule_set.levels.filter(rank=(held.level.rank if held else 0) + 1).first()


def _require_prepare(principal, application: Application, *, states=EDITABLE) -> None:
    if not can_prepare(principal, application):
        raise NotAllowed(_("Only the enterprise's HR may prepare its self-evaluation."))
    if application.status not in states:
        raise InvalidTransition(
            _(
                "The self-evaluation can be changed only while it is a draft or returned for revision; it is “%(status)s”."
            )
            % {"status": application.get_status_display()}
        )


def _require_review(principal, application: Application) -> None:
    if not can_review(principal):
        raise NotAllowed(_("Your role may not review certification applications."))
    if application.status != S.UNDER_REVIEW:
        raise InvalidTransition(
            _("Start the review first; the application is “%(status)s”.")
            % {"status": application.get_status_display()}
        )


def _lock(application: Application) -> Application:
    return (
        Application.objects.select_for_update()
        .select_related("rule_set", "round", "enterprise")
        .get(pk=application.pk)
    )


def hr_users(enterprise: Enterprise):
    return [
        m.user
        for m in Membership.objects.filter(
            organisation_id=enterprise.organisation_id, role=Role.ENTERPRISE_HR
        ).select_related("user")
    ]


def reviewer_users():
    return [m.user for m in Membership.objects.filter(role=Role.PARK_ADMIN).select_related("user")]


def _app_link(application: Application) -> str:
    return reverse("certification:detail", args=[application.pk])


def _notify_hr(application: Application, title, body="") -> None:
    notify(hr_users(application.enterprise), title=title, body=body, link=_app_link(application))


def _decimal(value, field: str, errors: dict, *, maximum: Decimal) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(_("Enter a number."))
        return None
    if number < 0 or number > maximum:
        errors.setdefault(field, []).append(
            _("Enter a score between 0 and %(max)s.") % {"max": f"{maximum.normalize():f}"}
        )
        return None
    return number


# --------------------------------------------------------------------------------------------
# Rule sets and rounds
# --------------------------------------------------------------------------------------------


def rule_set_problems(rule_set: RuleSet) -> list[str]:
    """What makes a rule set unusable: levels not ranked 1..n with rising cut-offs, a scoring form
    that does not total 100, no categories."""
    problems = []
    levels = list(rule_set.levels.order_by("rank"))
    if not levels:
        problems.append(_("The rule set has no levels."))
    if [lv.rank for lv in levels] != list(range(1, len(levels) + 1)):
        problems.append(_("Levels must be ranked 1, 2, 3… without gaps."))
    cutoffs = [lv.min_score for lv in levels]
    if cutoffs != sorted(cutoffs) or len(set(cutoffs)) != len(cutoffs):
        problems.append(_("Each level needs a higher score cut-off than the level below."))
    total = sum(
        Item.objects.filter(category__rule_set=rule_set).values_list("max_points", flat=True), Decimal(0)
    )
    if total != 100:
        problems.append(_("The scoring form totals %(total)s points; it must total 100.") % {"total": total})
    return problems


def rule_set_in_use(rule_set: RuleSet) -> bool:
    return rule_set.rounds.exists() or rule_set.applications.exists()


@transaction.atomic
def new_rule_set_version(principal, rule_set: RuleSet, **changes) -> RuleSet:
    """Copy a rule set with its levels, vetoes and scoring form into the next version, applying
    `changes` to the copy. A rule set in use is never edited: this is how it changes."""
    if not principal.is_park_admin:
        raise NotAllowed(_("Only park administrators manage rule sets."))
    source = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
    latest = (
        RuleSet.objects.filter(region=source.region, year=source.year).aggregate(v=Max("version"))["v"] or 0
    )
    levels = list(source.levels.all())
    vetoes = list(source.veto_rules.all())
    categories = [(c, list(c.items.all())) for c in source.categories.all()]
    copy = RuleSet.objects.get(pk=source.pk)
    copy.pk = None
    copy.id = None
    copy._state.adding = True
    copy.version = latest + 1
    for name, value in changes.items():
        setattr(copy, name, value)
    copy.save()
    for lv in levels:
        lv.pk = None
        lv.rule_set = copy
    Level.objects.bulk_create(levels)
    for v in vetoes:
        v.pk = None
        v.rule_set = copy
    VetoRule.objects.bulk_create(vetoes)
    for cat, items in categories:
        cat.pk = None
        cat.rule_set = copy
        cat.save()
        for it in items:
            it.pk = None
            it.category = cat
        Item.objects.bulk_create(items)
    audit.record("certification.new_rule_set_version", copy, after=audit.snapshot(copy), note=str(source))
    return copy


# --------------------------------------------------------------------------------------------
# Preparing the self-evaluation
# --------------------------------------------------------------------------------------------


@transaction.atomic
def create_application(
    principal, *, enterprise: Enterprise, round: Round, target_level: Level
) -> Application:
    """Start a self-evaluation (a draft) for the enterprise in an open round."""
    draft = Application(
        enterprise=enterprise, round=round, rule_set=round.rule_set, target_level=target_level
    )
    if not can_prepare(principal, draft):
        raise NotAllowed(_("Only the enterprise's HR may start its self-evaluation."))
    errors: dict = {}
    if not round.is_open(_today()):
        errors["round"] = [
            _("The round “%(round)s” takes applications from %(opens)s to %(closes)s.")
            % {"round": round.name, "opens": round.opens_on, "closes": round.closes_on}
        ]
    if target_level.rule_set_id != round.rule_set_id:
        errors["target_level"] = [_("Choose a level of this round's rule set.")]
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    if Application.objects.filter(round=round, enterprise=enterprise, status__in=Application.OPEN).exists():
        errors["round"] = [
            _with_source(
                _("The enterprise already has an open application in this round."),
                _rule_set_source(round.rule_set),
            )
        ]
    raise_fields(errors)
    draft.created_by = _user(principal)
    draft.save()
    items = Item.objects.filter(category__rule_set=round.rule_set)
    ItemScore.objects.bulk_create([ItemScore(application=draft, item=it) for it in items])
    audit.record("certification.create_application", draft, after=audit.snapshot(draft))
    return draft


@transaction.atomic
def change_target_level(principal, application: Application, target_level: Level) -> Application:
    app = _lock(application)
    _require_prepare(principal, app)
    if target_level.rule_set_id != app.rule_set_id:
        raise DomainError(_("Choose a level of this round's rule set."), field="target_level")
    before = audit.snapshot(app)
    app.target_level = target_level
    app.save(update_fields=["target_level", "updated_at"])
    audit.record("certification.change_target_level", app, before=before, after=audit.snapshot(app))
    return app


def _apply_scores(app: Application, scores: dict, *, kind: str, fields: dict | None = None) -> dict:
    """Parse `{item id: {"score", "note"}}` onto the application's ItemScore rows: `kind` is
    "self" or "review" (the columns `<kind>_score` / `<kind>_note`), `fields` any other columns to
    set on each changed row. All or nothing: one bad score refuses the lot, with a message per item
    field. Returns the application's rows by item id, updated."""
    rows = {str(s.item_id): s for s in app.scores.select_related("item")}
    errors: dict = {}
    changed = []
    for item_id, data in scores.items():
        row = rows.get(str(item_id))
        if row is None:
            errors.setdefault(f"item_{item_id}", []).append(_("This item is not on the application's form."))
            continue
        value = _decimal(data.get("score"), f"item_{item_id}", errors, maximum=row.item.max_points)
        setattr(row, f"{kind}_score", value)
        setattr(row, f"{kind}_note", (data.get("note") or "").strip()[:2000])
        for name, field_value in (fields or {}).items():
            setattr(row, name, field_value)
        changed.append(row)
    raise_fields(errors)
    ItemScore.objects.bulk_update(changed, [f"{kind}_score", f"{kind}_note", *(fields or {})])
    audit.record(
        f"certification.save_{kind}_scores",
        app,
        after={"items": {str(r.item_id): str(getattr(r, f"{kind}_score")) for r in changed}},
        only_changes=False,
    )
    return rows


@transaction.atomic
def save_self_scores(principal, application: Application, scores: dict) -> Application:
    """`scores`: {item id: {"score": ..., "note": ...}}. A blank score clears it. All or nothing."""
    app = _lock(application)
    _require_prepare(principal, app)
    rows = _apply_scores(app, scores, kind="self")
    before = audit.snapshot(app)
    app.self_score = sum((s.self_score or 0 for s in rows.values()), Decimal(0))
    app.save(update_fields=["self_score", "updated_at"])
    audit.record("certification.self_score_total", app, before=before, after=audit.snapshot(app))
    return app


@transaction.atomic
def add_evidence(
    principal, application: Application, uploaded, *, purpose: str, item: Item | None = None
) -> Evidence:
    """Attach a file. Item and disclosure evidence belong to the enterprise's self-evaluation; the
    on-site check record belongs to the reviewer."""
    app = _lock(application)
    if purpose == Evidence.Purpose.SITE_VISIT:
        _require_review(principal, app)
    else:
        _require_prepare(principal, app)
    if purpose == Evidence.Purpose.ITEM:
        if item is None or item.category.rule_set_id != app.rule_set_id:
            raise DomainError(_("Choose an item of the application's form."), field="item")
    else:
        item = None
    content_type, sha256, size = check_upload(uploaded, max_bytes=rules.EVIDENCE_MAX_BYTES)
    evidence = Evidence(
        application=app,
        purpose=purpose,
        item=item,
        original_name=(getattr(uploaded, "name", "") or "file")[:255],
        content_type=content_type,
        size=size,
        sha256=sha256,
        uploaded_by=_user(principal),
    )
    evidence.file.save("upload", uploaded, save=False)
    evidence.save()
    audit.record("certification.add_evidence", evidence, after=audit.snapshot(evidence))
    return evidence


@transaction.atomic
def delete_evidence(principal, evidence: Evidence) -> None:
    app = _lock(evidence.application)
    if evidence.purpose == Evidence.Purpose.SITE_VISIT:
        _require_review(principal, app)
    else:
        _require_prepare(principal, app)
    audit.record("certification.delete_evidence", evidence, before=audit.snapshot(evidence))
    evidence.file.delete(save=False)
    evidence.delete()


@transaction.atomic
def save_group(principal, application: Application, members: list[dict]) -> list[GroupMember]:
    """Replace the self-evaluation group. The 2/3 share is checked on submission, so a group can
    be saved while it is still being put together."""
    app = _lock(application)
    _require_prepare(principal, app)
    errors: dict = {}
    rows = []
    roles = set(GroupMember.Role.values)
    for i, data in enumerate(members):
        name = (data.get("name") or "").strip()
        role = data.get("role") or ""
        if not name and not role:
            continue
        if not name:
            errors.setdefault(f"members-{i}-name", []).append(_("Enter the member's name."))
        if role not in roles:
            errors.setdefault(f"members-{i}-role", []).append(_("Choose the member's role in the group."))
        rows.append(
            GroupMember(
                application=app, name=name[:50], role=role, position=(data.get("position") or "")[:100]
            )
        )
    raise_fields(errors)
    before = {"group": [(m.name, m.role) for m in app.group.all()]}
    app.group.all().delete()
    created = GroupMember.objects.bulk_create(rows)
    audit.record(
        "certification.save_group", app, before=before, after={"group": [(m.name, m.role) for m in rows]}
    )
    return created


DISCLOSURE_FIELDS = (
    "disclosure_method",
    "posted_from",
    "posted_to",
    "congress_date",
    "congress_attendance",
    "congress_representatives",
    "congress_votes_for",
    "summary",
)


@transaction.atomic
def save_disclosure(principal, application: Application, **data) -> Application:
    """Record how the result was disclosed before submission. Consistency is checked here; the
    minimum length of the posting is checked on submission."""
    app = _lock(application)
    _require_prepare(principal, app)
    errors: dict = {}
    method = data.get("disclosure_method") or ""
    if method and method not in Application.Disclosure.values:
        errors["disclosure_method"] = [_("Choose how the result was disclosed.")]
    if method == Application.Disclosure.POSTED:
        start, end = data.get("posted_from"), data.get("posted_to")
        if not start:
            errors["posted_from"] = [_("Enter the first day of the posting.")]
        if not end:
            errors["posted_to"] = [_("Enter the last day of the posting.")]
        if start and end and end < start:
            errors["posted_to"] = [_("The posting cannot end before it starts.")]
        data.update(
            congress_date=None,
            congress_attendance=None,
            congress_representatives=None,
            congress_votes_for=None,
        )
    elif method == Application.Disclosure.CONGRESS:
        if not app.rule_set.disclosure_congress_allowed:
            errors["disclosure_method"] = [
                _with_source(
                    _("This rule set requires posting under 厂务公开."), _rule_set_source(app.rule_set)
                )
            ]
        total = data.get("congress_representatives")
        present = data.get("congress_attendance")
        votes = data.get("congress_votes_for")
        if not data.get("congress_date"):
            errors["congress_date"] = [_("Enter the date of the workers' congress.")]
        if not total:
            errors["congress_representatives"] = [_("Enter the number of representatives.")]
        if present is None:
            errors["congress_attendance"] = [_("Enter how many representatives were present.")]
        elif total and present > total:
            errors["congress_attendance"] = [_("More present than there are representatives.")]
        if votes is not None and present is not None and votes > present:
            errors["congress_votes_for"] = [_("More votes in favour than representatives present.")]
        data.update(posted_from=None, posted_to=None)
    raise_fields(errors)
    before = audit.snapshot(app)
    for name in DISCLOSURE_FIELDS:
        if name in data:
            setattr(app, name, data[name] if data[name] is not None or name != "summary" else "")
    app.save()
    audit.record("certification.save_disclosure", app, before=before, after=audit.snapshot(app))
    return app


# --------------------------------------------------------------------------------------------
# Eligibility and submission
# --------------------------------------------------------------------------------------------


def held_certificate(enterprise: Enterprise, on: dt.date | None = None) -> Certificate | None:
    """The enterprise's valid title with the highest level on `on` (levels compare by rank)."""
    on = on or _today()
    return (
        Certificate.objects.valid_on(on)
        .filter(enterprise=enterprise)
        .select_related("level")
        .order_by("-level__rank", "issued_on")
        .first()
    )


def vetoes_in_window(enterprise: Enterprise, rule_set: RuleSet, on: dt.date):
    """Veto events of the enterprise within their kind's look-back window ending on `on`. The
    window includes its first day: an event exactly 24 months before is still inside it."""
    found = []
    events = list(VetoEvent.objects.filter(enterprise=enterprise, occurred_on__lte=on))
    for rule in rule_set.veto_rules.all():
        start = on - relativedelta(months=rule.lookback_months)
        found += [(rule, e) for e in events if e.kind == rule.code and e.occurred_on >= start]
    return found


def group_ratio_met(representatives: int, total: int, rule_set: RuleSet) -> bool:
    """representatives / total ≥ numerator / denominator, in integers (no rounding at 2/3)."""
    return (
        total > 0
        and representatives * rule_set.group_ratio_denominator >= total * rule_set.group_ratio_numerator
    )


def disclosure_days(application: Application) -> int:
    """Calendar days of the posting, counting both the first and the last day."""
    if not (application.posted_from and application.posted_to):
        return 0
    return (application.posted_to - application.posted_from).days + 1


def submission_problems(application: Application, on: dt.date | None = None) -> dict[str, list[str]]:
    """Every reason the application may not be submitted on `on`, keyed by what it concerns, each
    message ending with its source. Empty when it may."""
    on = on or _today()
    app = application
    rs = app.rule_set
    rs_source = _rule_set_source(rs)
    problems: dict[str, list[str]] = {}

    def add(key, message, source=rs_source):
        problems.setdefault(key, []).append(_with_source(message, source))

    # Complete form.
    scores = list(app.scores.select_related("item"))
    unscored = [s for s in scores if s.self_score is None]
    if unscored:
        add("scores", _("%(n)s item(s) have no score yet.") % {"n": len(unscored)})
    with_evidence = set(app.evidence.filter(purpose=Evidence.Purpose.ITEM).values_list("item_id", flat=True))
    missing = [s for s in scores if s.item.evidence_required and s.item_id not in with_evidence]
    if missing:
        add(
            "evidence",
            _("%(n)s item(s) need evidence: %(items)s.")
            % {
                "n": len(missing),
                "items": "; ".join(s.item.text for s in missing[:3]) + ("…" if len(missing) > 3 else ""),
            },
        )

    # The self-evaluation group: union + worker representatives ≥ 2/3 (programme part 4 (2)).
    members = list(app.group.all())
    reps = sum(1 for m in members if m.role in GroupMember.REPRESENTATIVES)
    if not group_ratio_met(reps, len(members), rs):
        add(
            "group",
            _(
                "Union and worker representatives are %(reps)s of %(total)s group members; at least "
                "%(num)s/%(den)s are required."
            )
            % {
                "reps": reps,
                "total": len(members),
                "num": rs.group_ratio_numerator,
                "den": rs.group_ratio_denominator,
            },
            rules.SOURCE_PROGRAMME,
        )

    # Disclosure before submission (programme part 4 (2)).
    if app.disclosure_method == Application.Disclosure.POSTED:
        days = disclosure_days(app)
        if days < rs.disclosure_min_days:
            add(
                "disclosure",
                _("The result was posted for %(days)s day(s); at least %(min)s days are required.")
                % {"days": days, "min": rs.disclosure_min_days},
                rules.SOURCE_PROGRAMME,
            )
        elif app.posted_to and app.posted_to >= on:  # the last day of the posting must be over
            add(
                "disclosure",
                _("The posting ends on %(date)s; submit after it ends.") % {"date": app.posted_to},
            )
    elif app.disclosure_method == Application.Disclosure.CONGRESS and rs.disclosure_congress_allowed:
        if app.congress_date and app.congress_date > on:
            add(
                "disclosure",
                _("The workers' congress is on %(date)s; submit after it.") % {"date": app.congress_date},
            )
        if not union_rules.congress_quorate(app.congress_representatives or 0, app.congress_attendance or 0):
            add(
                "disclosure",
                _(
                    "The workers' congress lacked a quorum: %(present)s of %(total)s representatives present, 2/3 required."
                )
                % {"present": app.congress_attendance or 0, "total": app.congress_representatives or 0},
                union_rules.CONGRESS_QUORUM_SOURCE,
            )
    else:
        add(
            "disclosure",
            _(
                "Record how the result was disclosed: posted under 厂务公开, or reported to the workers' congress."
            ),
            rules.SOURCE_PROGRAMME,
        )

    # Eligibility of the enterprise.
    ent = app.enterprise
    if ent.status != EnterpriseStatus.OPERATING:
        add("enterprise", _("Only operating enterprises can be certified."))
    if ent.employees < rs.min_employees:
        add(
            "enterprise",
            _("The enterprise has %(n)s employees; at least %(min)s are required.")
            % {"n": ent.employees, "min": rs.min_employees},
        )
    if ent.established_on is None:
        add(
            "enterprise",
            _("The registry has no date of establishment for the enterprise; ask the park to add it."),
        )
    elif ent.established_on + relativedelta(years=rs.min_years_operating) > on:
        add(
            "enterprise",
            _("The enterprise was established on %(date)s; it must have operated for %(years)s year(s).")
            % {"date": ent.established_on, "years": rs.min_years_operating},
        )

    # The ladder: one level at a time, after the wait at the level below.
    held = held_certificate(ent, on)
    held_rank = held.level.rank if held else 0
    target = app.target_level
    if target.rank <= held_rank:
        add(
            "target_level",
            _("The enterprise already holds level %(held)s (certificate %(number)s).")
            % {"held": held.level.code, "number": held.number},
        )
    elif target.rank > held_rank + 1:
        below = rs.levels.filter(rank=target.rank - 1).first()
        add(
            "target_level",
            _("Levels are climbed one at a time: level %(target)s needs level %(below)s first.")
            % {"target": target.code, "below": below.code if below else "—"},
        )
    elif held is not None:
        ready_on = held.issued_on + relativedelta(months=target.months_at_lower)
        if ready_on > on:
            add(
                "target_level",
                _("Level %(target)s needs %(months)s months at level %(held)s; that is reached on %(date)s.")
                % {
                    "target": target.code,
                    "months": target.months_at_lower,
                    "held": held.level.code,
                    "date": ready_on,
                },
            )

    # Veto events (一票否决) in their look-back window.
    for rule, event in vetoes_in_window(ent, rs, on):
        add(
            "veto",
            _(
                "Veto event “%(kind)s” on %(date)s (%(source)s) lies within the %(months)s-month look-back window."
            )
            % {
                "kind": rule.name,
                "date": event.occurred_on,
                "source": event.source,
                "months": rule.lookback_months,
            },
        )

    # One open application per enterprise and round.
    if (
        Application.objects.filter(round=app.round, enterprise=ent, status__in=Application.OPEN)
        .exclude(pk=app.pk)
        .exists()
    ):
        add("round", _("The enterprise already has an open application in this round."))
    return problems


@transaction.atomic
def submit(principal, application: Application) -> Application:
    app = _lock(application)
    # The permission alone lets any enterprise's HR through: only this enterprise's HR submit.
    if not can_prepare(principal, app):
        raise NotAllowed(_("Only the enterprise's HR may submit its application."))
    WORKFLOW.check(app, "submit", principal)
    problems = submission_problems(app)
    if problems:
        raise DomainError(_("The application cannot be submitted yet."), fields=problems, code="not_eligible")
    app = transition(app, WORKFLOW, "submit", principal, changes={"submitted_at": timezone.now()})
    name = app.enterprise.name
    notify(
        reviewer_users(),
        title=lambda: _("New certification application from %(name)s") % {"name": name},
        body=lambda: (
            _("Level %(level)s, self-evaluation score %(score)s.")
            % {"level": app.target_level.code, "score": app.self_score}
        ),
        link=_app_link(app),
    )
    _notify_hr(app, lambda: _("Your certification application was submitted"))
    return app


@transaction.atomic
def withdraw(principal, application: Application, reason: str = "") -> Application:
    app = _lock(application)
    if not can_prepare(principal, app):
        raise NotAllowed(_("Only the enterprise's HR may withdraw its application."))
    return transition(app, WORKFLOW, "withdraw", principal, reason=reason)


# --------------------------------------------------------------------------------------------
# Review
# --------------------------------------------------------------------------------------------


@transaction.atomic
def start_review(principal, application: Application) -> Application:
    app = transition(
        _lock(application), WORKFLOW, "start_review", principal, changes={"reviewer": _user(principal)}
    )
    _notify_hr(app, lambda: _("The review of your certification application has started"))
    return app


@transaction.atomic
def save_review_scores(principal, application: Application, scores: dict) -> Application:
    """The reviewer's score per item (`{item id: {"score", "note"}}`); the reviewed score is the
    sum of the scored items. Who scored what and when stays on each row (the results feed honours)."""
    app = _lock(application)
    _require_review(principal, app)
    rows = _apply_scores(
        app, scores, kind="review", fields={"reviewed_by": _user(principal), "reviewed_at": timezone.now()}
    )
    before = audit.snapshot(app)
    scored = [r.review_score for r in rows.values() if r.review_score is not None]
    app.reviewed_score = sum(scored, Decimal(0)) if scored else None
    app.save(update_fields=["reviewed_score", "updated_at"])
    audit.record("certification.reviewed_score_total", app, before=before, after=audit.snapshot(app))
    return app


@transaction.atomic
def save_review_record(
    principal,
    application: Application,
    *,
    review_comments="",
    site_visit_on=None,
    site_visit_by="",
    site_visit_notes="",
) -> Application:
    app = _lock(application)
    _require_review(principal, app)
    if site_visit_on and site_visit_on > _today():
        raise DomainError(_("The on-site check cannot be in the future."), field="site_visit_on")
    before = audit.snapshot(app)
    app.review_comments = review_comments.strip()
    app.site_visit_on = site_visit_on
    app.site_visit_by = site_visit_by.strip()[:200]
    app.site_visit_notes = site_visit_notes.strip()
    app.save()
    audit.record("certification.save_review_record", app, before=before, after=audit.snapshot(app))
    return app


@transaction.atomic
def return_for_revision(principal, application: Application, reason: str) -> Application:
    app = transition(_lock(application), WORKFLOW, "return", principal, reason=reason)
    _notify_hr(
        app,
        lambda: _("Your certification application was returned for revision"),
        lambda: _("Reason: %(reason)s") % {"reason": reason},
    )
    return app


@transaction.atomic
def reject(principal, application: Application, reason: str) -> Application:
    app = transition(_lock(application), WORKFLOW, "reject", principal, reason=reason)
    _notify_hr(
        app,
        lambda: _("Your certification application was rejected"),
        lambda: _("Reason: %(reason)s") % {"reason": reason},
    )
    return app


def level_reached(application: Application) -> Level | None:
    """The highest level whose cut-off the reviewed score reaches, never above the level applied for."""
    if application.reviewed_score is None:
        return None
    return (
        application.rule_set.levels.filter(
            min_score__lte=application.reviewed_score, rank__lte=application.target_level.rank
        )
        .order_by("-rank")
        .first()
    )


@transaction.atomic
def propose(principal, application: Application) -> Application:
    """Propose the application for the level its reviewed score reaches."""
    app = _lock(application)
    WORKFLOW.check(app, "propose", principal)
    level = level_reached(app)
    held = held_certificate(app.enterprise)
    held_rank = held.level.rank if held else 0
    source = _rule_set_source(app.rule_set)
    if level is None or level.rank <= held_rank:
        target = app.target_level
        raise DomainError(
            _with_source(
                _(
                    "The reviewed score %(score)s does not reach the cut-off of level %(level)s (%(cutoff)s); return or reject the application."
                )
                % {"score": app.reviewed_score, "level": target.code, "cutoff": target.min_score},
                source,
            ),
            code="not_eligible",
        )
    vetoes = vetoes_in_window(app.enterprise, app.rule_set, _today())
    if vetoes:
        rule, event = vetoes[0]
        raise DomainError(
            _with_source(
                _("Veto event “%(kind)s” on %(date)s lies within the look-back window.")
                % {"kind": rule.name, "date": event.occurred_on},
                source,
            ),
            code="not_eligible",
        )
    app = transition(app, WORKFLOW, "propose", principal, changes={"proposed_level": level})
    _notify_hr(
        app,
        lambda: (
            _("Your enterprise was proposed for certification at level %(level)s") % {"level": level.code}
        ),
    )
    return app


# --------------------------------------------------------------------------------------------
# Public notice and objections
# --------------------------------------------------------------------------------------------


def notice_period(rule_set: RuleSet, starts_on: dt.date) -> tuple[dt.date, bool]:
    """Last day of a notice starting on `starts_on` and lasting the rule set's length, the first
    day counted (5 working days from a Monday end on Friday). Also whether the holiday calendar
    used is an estimate."""
    days = rule_set.notice_length
    if rule_set.notice_unit == DeadlineUnit.WORKING_DAYS:
        first_counts = is_working_day(starts_on)
        due = Deadline(days - 1 if first_counts else days, DeadlineUnit.WORKING_DAYS).due(starts_on)
    else:
        due = Deadline(days - 1, DeadlineUnit.CALENDAR_DAYS).due(starts_on)
    return due.date, due.estimated


@transaction.atomic
def publish_notice(
    principal, *, round: Round, applications, title: str = "", starts_on: dt.date | None = None
) -> PublicNotice:
    """Publish proposed applications of one round in a public notice (programme part 4 (3))."""
    if principal.is_api_client or not principal.user.has_perm("certification.publish_notice"):
        raise NotAllowed(_("Your role may not publish public notices."))
    today = _today()
    starts_on = starts_on or today
    errors: dict = {}
    if starts_on < today:
        errors["starts_on"] = [_("A notice cannot start in the past.")]
    apps = list(Application.objects.select_for_update().filter(pk__in=[a.pk for a in applications]))
    if not apps:
        errors["applications"] = [_("Choose at least one proposed application.")]
    for app in apps:
        if app.round_id != round.pk:
            errors.setdefault("applications", []).append(
                _("%(name)s belongs to another round.") % {"name": app.enterprise.name}
            )
        elif app.status != S.PROPOSED:
            errors.setdefault("applications", []).append(
                _("%(name)s is not proposed for certification.") % {"name": app.enterprise.name}
            )
    raise_fields(errors)
    ends_on, estimated = notice_period(round.rule_set, starts_on)
    notice = PublicNotice.objects.create(
        round=round,
        title=(title or "").strip()[:200]
        or _("Public notice of enterprises proposed for the %(round)s harmony certification")
        % {"round": round.name},
        starts_on=starts_on,
        ends_on=ends_on,
        estimated=estimated,
        published_by=_user(principal),
    )
    audit.record("certification.publish_notice", notice, after=audit.snapshot(notice))
    for app in apps:
        app = transition(app, WORKFLOW, "publish", principal, changes={"notice": notice})
        _notify_hr(
            app,
            lambda: _("Your enterprise is in the public notice until %(date)s") % {"date": ends_on},
        )
    notice.document = request_notice_pdf(notice, principal)
    notice.save(update_fields=["document", "updated_at"])
    return notice


def request_notice_pdf(notice: PublicNotice, principal):
    from apps.documents.services import request_document

    from .selectors import notice_pdf_context

    return request_document(
        kind="certification_notice",
        title=notice.title,
        template_name="certification/pdf/notice.html",
        context=notice_pdf_context(notice),
        owner=notice,
        created_by=_user(principal),
    )


@transaction.atomic
def file_objection(
    application: Application, *, name: str, phone: str, content: str, email: str = ""
) -> Objection:
    """Anyone may object while the notice runs; contact details are required so the office can
    follow up (programme part 4 (3): 接受社会监督)."""
    # Lock the application row only: PostgreSQL refuses FOR UPDATE on the nullable (outer-joined) notice.
    app = (
        Application.objects.select_for_update(of=("self",))
        .select_related("notice", "enterprise")
        .get(pk=application.pk)
    )
    today = _today()
    errors: dict = {}
    if app.status != S.IN_NOTICE or app.notice is None or not app.notice.is_running(today):
        raise InvalidTransition(_("Objections are accepted only while the public notice runs."))
    name = (name or "").strip()
    phone, phone_problem = personal_data.check_phone(phone)
    content = (content or "").strip()
    if not name:
        errors["name"] = [_("Enter your name.")]
    if phone_problem or not phone:
        errors["phone"] = [
            phone_problem or _("Enter a mobile number (11 digits) or a landline with its area code.")
        ]
    if len(content) < 10:
        errors["content"] = [_("Describe the objection in at least 10 characters.")]
    raise_fields(errors)
    objection = Objection.objects.create(
        application=app,
        name=name[:50],
        phone=phone[:30],
        email=(email or "").strip()[:254],
        content=content[:4000],
    )
    audit.record("certification.file_objection", objection, after={"application": str(app.pk)})
    enterprise = app.enterprise.name
    notify(
        reviewer_users(),
        title=lambda: _("Objection filed against %(name)s") % {"name": enterprise},
        body=content[:300],
        link=reverse("certification:detail", args=[app.pk]),
    )
    return objection


@transaction.atomic
def resolve_objection(principal, objection: Objection, *, uphold: bool, reason: str) -> Objection:
    """Uphold (the application is rejected) or dismiss an objection, with reasons."""
    if principal.is_api_client or not principal.user.has_perm("certification.resolve_objection"):
        raise NotAllowed(_("Your role may not resolve objections."))
    obj = Objection.objects.select_for_update().get(pk=objection.pk)
    reason = (reason or "").strip()
    if obj.status != Objection.Status.OPEN:
        raise InvalidTransition(_("This objection has already been resolved."))
    if not reason:
        raise DomainError(_("Give the reasons for the decision."), field="reason")
    before = audit.snapshot(obj)
    obj.status = Objection.Status.UPHELD if uphold else Objection.Status.DISMISSED
    obj.resolution = reason
    obj.resolved_by = _user(principal)
    obj.resolved_at = timezone.now()
    obj.save()
    audit.record("certification.resolve_objection", obj, before=before, after=audit.snapshot(obj))
    if uphold:
        reject(principal, obj.application, _("Objection upheld: %(reason)s") % {"reason": reason})
    else:
        _notify_hr(obj.application, lambda: _("An objection to your certification was dismissed"))
    return obj


# --------------------------------------------------------------------------------------------
# Certification, certificates, annual reports, revocation
# --------------------------------------------------------------------------------------------


def _add_years(day: dt.date, years: int) -> dt.date:
    return day + relativedelta(years=years)


def _next_number(round: Round, rule_set: RuleSet, level: Level) -> str:
    Round.objects.select_for_update().filter(pk=round.pk).first()
    prefix = f"{rule_set.number_prefix}{round.year}-{level.code}-"
    used = Certificate.objects.filter(number__startswith=prefix).values_list("number", flat=True)
    seq = max((int(n.rsplit("-", 1)[1]) for n in used if n.rsplit("-", 1)[1].isdigit()), default=0) + 1
    return f"{prefix}{seq:04d}"


@transaction.atomic
def certify(principal, application: Application) -> Certificate:
    """Name the enterprise at its proposed level and issue the certificate (programme part 4)."""
    app = transition(_lock(application), WORKFLOW, "certify", principal)
    return issue_certificate(app, principal)


def issue_certificate(app: Application, principal, *, issued_on: dt.date | None = None) -> Certificate:
    rs = app.rule_set
    level = app.proposed_level or app.target_level
    issued_on = issued_on or _today()
    valid_until = _add_years(issued_on, rs.validity_years) - dt.timedelta(days=1)
    try:
        with transaction.atomic():
            cert = Certificate.objects.create(
                number=_next_number(app.round, rs, level),
                application=app,
                enterprise=app.enterprise,
                level=level,
                round=app.round,
                issuer=rs.issuer,
                issued_on=issued_on,
                valid_until=valid_until,
            )
    except IntegrityError as exc:  # pragma: no cover - the round lock makes this unreachable
        raise DomainError(_("The certificate could not be numbered; try again.")) from exc
    AnnualReport.objects.bulk_create(
        [
            AnnualReport(
                certificate=cert,
                year_no=n,
                due_on=_add_years(issued_on, n) + dt.timedelta(days=rs.report_grace_days),
            )
            for n in range(1, rs.validity_years)
        ]
    )
    audit.record("certification.issue_certificate", cert, after=audit.snapshot(cert))
    cert.document = request_certificate_pdf(cert, principal)
    cert.save(update_fields=["document", "updated_at"])
    _notify_hr(
        app,
        lambda: (
            _("Your enterprise is certified at level %(level)s, certificate %(number)s")
            % {"level": level.code, "number": cert.number}
        ),
    )
    return cert


def verification_url(number: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{reverse('verify', args=[number])}"


def request_certificate_pdf(cert: Certificate, principal):
    from apps.documents.services import request_document

    from .selectors import certificate_pdf_context

    return request_document(
        kind="certificate",
        title=_("Certificate %(number)s") % {"number": cert.number},
        template_name="certification/pdf/certificate.html",
        context=certificate_pdf_context(cert),
        owner=cert,
        created_by=_user(principal),
    )


def _open_objections(app: Application) -> bool:
    return app.objections.filter(status=Objection.Status.OPEN).exists()


def close_notices(today: dt.date | None = None) -> dict:
    """Daily job: for every notice that has ended, certify each application in it that has no
    open objection and no veto event in its window (those are rejected with the reason); an
    application with an open objection waits. A notice closes when nothing in it is waiting.
    `today` may be earlier than the real date (a re-run); certifying itself checks the real date
    (workflow guard), so a later `today` certifies nothing early."""
    today = today or _today()
    result = {"certified": 0, "rejected": 0, "waiting": 0}
    for notice in PublicNotice.objects.filter(ends_on__lt=today, closed_at__isnull=True):
        for app in notice.applications.filter(status=S.IN_NOTICE).select_related("enterprise", "rule_set"):
            if _open_objections(app):
                result["waiting"] += 1
                continue
            with transaction.atomic():
                vetoes = vetoes_in_window(app.enterprise, app.rule_set, today)
                if vetoes:
                    rule, event = vetoes[0]
                    reject(
                        SYSTEM,
                        app,
                        _("Veto event “%(kind)s” on %(date)s.")
                        % {"kind": rule.name, "date": event.occurred_on},
                    )
                    result["rejected"] += 1
                else:
                    certify(SYSTEM, app)
                    result["certified"] += 1
        if not notice.applications.filter(status=S.IN_NOTICE).exists():
            with transaction.atomic():
                PublicNotice.objects.filter(pk=notice.pk).update(closed_at=timezone.now())
                audit.record("certification.close_notice", notice, after={"closed": str(today)})
    return result


@transaction.atomic
def submit_annual_report(
    principal, report: AnnualReport, *, employees: int, contracts_signed: int, disputes: int, content: str
) -> AnnualReport:
    rep = AnnualReport.objects.select_for_update().select_related("certificate__enterprise").get(pk=report.pk)
    cert = rep.certificate
    if principal.is_api_client or not (
        principal.user.has_perm("certification.submit_annualreport")
        and cert.enterprise.organisation_id in principal.organisation_ids(Role.ENTERPRISE_HR)
    ):
        raise NotAllowed(_("Only the enterprise's HR may hand in its annual report."))
    if cert.status != Certificate.Status.VALID:
        raise InvalidTransition(_("The title is no longer valid."))
    if rep.submitted_at:
        raise InvalidTransition(_("This report has already been handed in."))
    errors: dict = {}
    if employees is None:
        errors["employees"] = [_("Enter the number of employees.")]
    if contracts_signed is not None and employees is not None and contracts_signed > employees:
        errors["contracts_signed"] = [_("More contracts in force than employees.")]
    if not (content or "").strip():
        errors["content"] = [_("Describe the year's labour-relations work.")]
    raise_fields(errors)
    before = audit.snapshot(rep)
    rep.employees = employees
    rep.contracts_signed = contracts_signed
    rep.disputes = disputes
    rep.content = content.strip()
    rep.submitted_at = timezone.now()
    rep.submitted_by = _user(principal)
    rep.save()
    audit.record("certification.submit_annual_report", rep, before=before, after=audit.snapshot(rep))
    return rep


def _end_title(
    principal, cert: Certificate, action: str, reason: str, *, on: dt.date | None = None
) -> Certificate:
    cert = transition(
        cert,
        CERTIFICATE_WORKFLOW,
        action,
        principal,
        reason=reason,
        changes={"ended_on": on or _today(), "end_reason": reason},
    )
    notify(
        hr_users(cert.enterprise),
        title=(lambda: _("Your certificate %(number)s was revoked") % {"number": cert.number})
        if action == "revoke"
        else (lambda: _("Your certificate %(number)s has lapsed") % {"number": cert.number}),
        body=reason,
        link=reverse("certification:certificate", args=[cert.number]),
    )
    return cert


@transaction.atomic
def revoke(principal, certificate: Certificate, reason: str) -> Certificate:
    """Revoke a title (a failed spot check, a veto event...); the verification page shows it at once."""
    return _end_title(principal, certificate, "revoke", reason)


def lapse_titles(today: dt.date | None = None) -> int:
    """Daily job: a title lapses when an annual report is overdue or its validity has ended."""
    today = today or _today()
    count = 0
    overdue = (
        Certificate.objects.filter(status=Certificate.Status.VALID)
        .filter(reports__due_on__lt=today, reports__submitted_at__isnull=True)
        .distinct()
    )
    for cert in overdue:
        report = cert.reports.filter(due_on__lt=today, submitted_at__isnull=True).order_by("due_on").first()
        with transaction.atomic():
            _end_title(
                SYSTEM,
                cert,
                "lapse",
                _("The annual report due on %(date)s was not handed in.") % {"date": report.due_on},
                on=today,
            )
        count += 1
    for cert in Certificate.objects.filter(status=Certificate.Status.VALID, valid_until__lt=today):
        with transaction.atomic():
            _end_title(
                SYSTEM,
                cert,
                "lapse",
                _("The validity ended on %(date)s.") % {"date": cert.valid_until},
                on=today,
            )
        count += 1
    return count


def veto_catalogue() -> dict[str, str]:
    """Veto codes and names across the rule sets (newest name wins)."""
    rows = VetoRule.objects.order_by("rule_set__year", "rule_set__version").values_list("code", "name")
    return dict(rows)


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
    """Record a veto event (一票否决). A valid title of the enterprise is revoked at once, the
    event being the reason; open applications are refused on submission, proposal and at the end
    of the notice while the event lies in its look-back window."""
    if principal.is_system:
        allowed = True
    elif principal.is_api_client:
        allowed = principal.has_scope("certification:write")
    else:
        allowed = principal.user.has_perm("certification.add_vetoevent")
    if not allowed:
        raise NotAllowed(_("Your role may not record veto events."))
    catalogue = veto_catalogue()
    errors: dict = {}
    if kind not in catalogue:
        errors["kind"] = [_("Choose a kind from the veto catalogue.")]
    if occurred_on is None:
        errors["occurred_on"] = [_("Enter the date of the event.")]
    elif occurred_on > _today():
        errors["occurred_on"] = [_("The event cannot be in the future.")]
    if not (source or "").strip():
        errors["source"] = [_("Name the source: the authority's notice, decision or case number.")]
    raise_fields(errors)
    from apps.core.models import object_ref

    object_type, object_id = object_ref(ref)
    event = VetoEvent.objects.create(
        enterprise=enterprise,
        kind=kind,
        kind_name=catalogue[kind],
        occurred_on=occurred_on,
        source=source.strip()[:300],
        note=(note or "").strip(),
        origin=origin,
        object_type=object_type,
        object_id=object_id,
        recorded_by=_user(principal),
    )
    audit.record("certification.record_veto_event", event, after=audit.snapshot(event))
    reason = _("Veto event “%(kind)s” on %(date)s (%(source)s).") % {
        "kind": event.kind_name,
        "date": occurred_on,
        "source": event.source,
    }
    # The revocation follows from the event, whoever recorded it (an inspector, a district system).
    actor = principal if principal.is_park_admin and not principal.is_system else SYSTEM
    for cert in Certificate.objects.filter(enterprise=enterprise, status=Certificate.Status.VALID):
        _end_title(actor, cert, "revoke", reason)
    return event


#: Labels used by pages for the submission checklist keys.
PROBLEM_LABELS = {
    "scores": gettext_lazy("Scores"),
    "evidence": gettext_lazy("Evidence"),
    "group": gettext_lazy("Self-evaluation group"),
    "disclosure": gettext_lazy("Disclosure"),
    "enterprise": gettext_lazy("Enterprise"),
    "target_level": gettext_lazy("Level applied for"),
    "veto": gettext_lazy("Veto events"),
    "round": gettext_lazy("Round"),
}
