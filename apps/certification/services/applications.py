"""Preparing, submitting and reviewing an application: the enterprise's self-evaluation (its
scores with evidence, the self-evaluation group, the disclosure), submission and withdrawal, and
the reviewer's work up to the proposal (programme part 4 (2); the rule set's levels and vetoes).
Who may act is workflow.py's answer; what the rules require, rules.py's."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.audit.history import transition
from apps.core.errors import DomainError, NotAllowed, raise_fields
from apps.core.uploads import check_upload
from apps.enterprises.models import Enterprise
from apps.notifications.services import notify

from .. import rules, selectors
from ..models import Application, Evidence, GroupMember, Item, ItemScore, Level, Round
from ..workflow import WORKFLOW, can_prepare, require_prepare, require_review
from .common import app_link, lock, notify_hr, park_today, user_of


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
    if not round.is_open(park_today()):
        errors["round"] = [
            _("The round “%(round)s” takes applications from %(opens)s to %(closes)s.")
            % {"round": round.name, "opens": round.opens_on, "closes": round.closes_on}
        ]
    if target_level.rule_set_id != round.rule_set_id:
        errors["target_level"] = [_("Choose a level of this round's rule set.")]
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    if Application.objects.filter(round=round, enterprise=enterprise, status__in=Application.OPEN).exists():
        errors["round"] = [
            rules.with_source(
                _("The enterprise already has an open application in this round."),
                rules.rule_set_source(round.rule_set),
            )
        ]
    raise_fields(errors)
    draft.created_by = user_of(principal)
    draft.save()
    items = Item.objects.filter(category__rule_set=round.rule_set)
    ItemScore.objects.bulk_create([ItemScore(application=draft, item=it) for it in items])
    audit.record("certification.create_application", draft, after=audit.snapshot(draft))
    return draft


@transaction.atomic
def change_target_level(principal, application: Application, target_level: Level) -> Application:
    app = lock(application)
    require_prepare(principal, app)
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
        value = rules.parse_score(data.get("score"), f"item_{item_id}", errors, maximum=row.item.max_points)
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
    app = lock(application)
    require_prepare(principal, app)
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
    app = lock(application)
    if purpose == Evidence.Purpose.SITE_VISIT:
        require_review(principal, app)
    else:
        require_prepare(principal, app)
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
        uploaded_by=user_of(principal),
    )
    evidence.file.save("upload", uploaded, save=False)
    evidence.save()
    audit.record("certification.add_evidence", evidence, after=audit.snapshot(evidence))
    return evidence


@transaction.atomic
def delete_evidence(principal, evidence: Evidence) -> None:
    app = lock(evidence.application)
    if evidence.purpose == Evidence.Purpose.SITE_VISIT:
        require_review(principal, app)
    else:
        require_prepare(principal, app)
    audit.record("certification.delete_evidence", evidence, before=audit.snapshot(evidence))
    evidence.file.delete(save=False)
    evidence.delete()


@transaction.atomic
def save_group(principal, application: Application, members: list[dict]) -> list[GroupMember]:
    """Replace the self-evaluation group. The 2/3 share is checked on submission, so a group can
    be saved while it is still being put together."""
    app = lock(application)
    require_prepare(principal, app)
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


@transaction.atomic
def save_disclosure(principal, application: Application, **data) -> Application:
    """Record how the result was disclosed before submission. Consistency is checked here; the
    minimum length of the posting is checked on submission."""
    app = lock(application)
    require_prepare(principal, app)
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
                rules.with_source(
                    _("This rule set requires posting on the workplace notice board (open factory affairs)."),
                    rules.rule_set_source(app.rule_set),
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
    for name in rules.DISCLOSURE_FIELDS:
        if name in data:
            setattr(app, name, data[name] if data[name] is not None or name != "summary" else "")
    app.save()
    audit.record("certification.save_disclosure", app, before=before, after=audit.snapshot(app))
    return app


# Submission ------------------------------------------------------------------------------------


@transaction.atomic
def submit(principal, application: Application) -> Application:
    app = lock(application)
    # The permission alone lets any enterprise's HR through: only this enterprise's HR submit.
    if not can_prepare(principal, app):
        raise NotAllowed(_("Only the enterprise's HR may submit its application."))
    WORKFLOW.check(app, "submit", principal)
    problems = selectors.submission_problems(app)
    if problems:
        raise DomainError(_("The application cannot be submitted yet."), fields=problems, code="not_eligible")
    app = transition(app, WORKFLOW, "submit", principal, changes={"submitted_at": timezone.now()})
    name = app.enterprise.name
    notify(
        selectors.reviewer_users(),
        title=lambda: _("New certification application from %(name)s") % {"name": name},
        body=lambda: (
            _("Level %(level)s, self-evaluation score %(score)s.")
            % {"level": app.target_level.code, "score": app.self_score}
        ),
        link=app_link(app),
    )
    notify_hr(app, lambda: _("Your certification application was submitted"))
    return app


@transaction.atomic
def withdraw(principal, application: Application, reason: str = "") -> Application:
    app = lock(application)
    if not can_prepare(principal, app):
        raise NotAllowed(_("Only the enterprise's HR may withdraw its application."))
    return transition(app, WORKFLOW, "withdraw", principal, reason=reason)


# Review ----------------------------------------------------------------------------------------


@transaction.atomic
def start_review(principal, application: Application) -> Application:
    app = transition(
        lock(application), WORKFLOW, "start_review", principal, changes={"reviewer": user_of(principal)}
    )
    notify_hr(app, lambda: _("The review of your certification application has started"))
    return app


@transaction.atomic
def save_review_scores(principal, application: Application, scores: dict) -> Application:
    """The reviewer's score per item (`{item id: {"score", "note"}}`); the reviewed score is the
    sum of the scored items. Who scored what and when stays on each row (the results feed honours)."""
    app = lock(application)
    require_review(principal, app)
    rows = _apply_scores(
        app, scores, kind="review", fields={"reviewed_by": user_of(principal), "reviewed_at": timezone.now()}
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
    app = lock(application)
    require_review(principal, app)
    if site_visit_on and site_visit_on > park_today():
        raise DomainError(_("The on-site check cannot be in the future."), field="site_visit_on")
    before = audit.snapshot(app)
    app.review_comments = review_comments.strip()
    app.site_visit_on = site_visit_on
    app.site_visit_by = site_visit_by.strip()[:200]
    app.site_visit_notes = site_visit_notes.strip()
    app.save()
    audit.record("certification.save_review_record", app, before=before, after=audit.snapshot(app))
    return app


RECORD_FIELDS = ("review_comments", "site_visit_on", "site_visit_by", "site_visit_notes")


def _changed_review_scores(app: Application, scores: dict) -> dict:
    """The entries of `scores` that change a row (score or note), so saving the whole page keeps
    who scored the other items and when; unknown items are kept for the service to refuse."""
    rows = {str(s.item_id): s for s in app.scores.select_related("item")}
    changed = {}
    for item_id, data in scores.items():
        row = rows.get(str(item_id))
        if row is None:
            changed[item_id] = data
            continue
        errors: dict = {}
        value = rules.parse_score(data.get("score"), "score", errors, maximum=row.item.max_points)
        note = (data.get("note") or "").strip()[:2000]
        if errors or value != row.review_score or note != row.review_note:
            changed[item_id] = data
    return changed


@transaction.atomic
def save_review_and_scores(
    principal, application: Application, *, scores: dict | None = None, record: dict | None = None
) -> Application:
    """The review page's one form: the reviewer's scores (`{item id: {"score", "note"}}`, only the
    items sent, and of those only the changed ones are stamped with the reviewer) and the review
    record with the on-site check (`record`: the fields of `save_review_record` that were sent;
    None or {} keeps it). Together or each on its own, all or nothing: a refusal of either saves
    neither and names every invalid field at once, so the page shows everything typed again."""
    app = lock(application)
    require_review(principal, app)
    errors: dict = {}
    if scores:
        changed = _changed_review_scores(app, scores)
        if changed:
            try:
                app = save_review_scores(principal, app, changed)
            except DomainError as exc:
                errors.update(exc.fields or {"scores": [exc.message]})
    if record:
        values = {
            "review_comments": app.review_comments,
            "site_visit_on": app.site_visit_on,
            "site_visit_by": app.site_visit_by,
            "site_visit_notes": app.site_visit_notes,
        }
        values.update({k: v for k, v in record.items() if k in RECORD_FIELDS})
        try:
            app = save_review_record(principal, app, **values)
        except DomainError as exc:
            errors.update(exc.fields or {"review_comments": [exc.message]})
    raise_fields(errors)
    return app


@transaction.atomic
def return_for_revision(principal, application: Application, reason: str) -> Application:
    app = transition(lock(application), WORKFLOW, "return", principal, reason=reason)
    notify_hr(
        app,
        lambda: _("Your certification application was returned for revision"),
        lambda: _("Reason: %(reason)s") % {"reason": reason},
    )
    return app


@transaction.atomic
def reject(principal, application: Application, reason: str) -> Application:
    app = transition(lock(application), WORKFLOW, "reject", principal, reason=reason)
    notify_hr(
        app,
        lambda: _("Your certification application was rejected"),
        lambda: _("Reason: %(reason)s") % {"reason": reason},
    )
    return app


@transaction.atomic
def propose(principal, application: Application) -> Application:
    """Propose the application for the level its reviewed score reaches."""
    app = lock(application)
    WORKFLOW.check(app, "propose", principal)
    level = rules.level_reached(app)
    held = selectors.held_certificate(app.enterprise)
    held_rank = held.level.rank if held else 0
    source = rules.rule_set_source(app.rule_set)
    if level is None or level.rank <= held_rank:
        target = app.target_level
        raise DomainError(
            rules.with_source(
                _(
                    "The reviewed score %(score)s does not reach the cut-off of level %(level)s (%(cutoff)s); return or reject the application."
                )
                % {"score": app.reviewed_score, "level": target.code, "cutoff": target.min_score},
                source,
            ),
            code="not_eligible",
        )
    vetoes = selectors.vetoes_in_window(app.enterprise, app.rule_set, park_today())
    if vetoes:
        rule, event = vetoes[0]
        raise DomainError(
            rules.with_source(
                _("Veto event “%(kind)s” on %(date)s lies within the look-back window.")
                % {"kind": rule.name, "date": event.occurred_on},
                source,
            ),
            code="not_eligible",
        )
    app = transition(app, WORKFLOW, "propose", principal, changes={"proposed_level": level})
    notify_hr(
        app,
        lambda: (
            _("Your enterprise was proposed for certification at level %(level)s") % {"level": level.code}
        ),
    )
    return app
