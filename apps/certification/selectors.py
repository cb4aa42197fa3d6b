"""Reads of harmony certification: lists scoped through `visible_to`, the wizard's progress and
the submission checklist, the title held and the veto events in their window, the recipients of
notices, the public notice and verification, figures, the dossier section and PDF contexts."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db.models import Count, Exists, IntegerField, Max, Min, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apps.accounts.models import Membership
from apps.core.cache import cached_figures, scope_key
from apps.core.facts import Fact, collect_facts
from apps.core.principal import Role
from apps.core.scoping import get_visible_or_404
from apps.core.search import hit, may, searched
from apps.core.urls_helpers import absolute_url
from apps.core.worklist import WAITING
from apps.core.worklist import item as work_item
from apps.enterprises.choices import Status as EnterpriseStatus
from apps.enterprises.models import Enterprise
from apps.enterprises.selectors import hidden_section

from . import rules
from .filters import ApplicationFilter
from .models import (
    AnnualReport,
    Application,
    Certificate,
    Evidence,
    ItemScore,
    Objection,
    PublicNotice,
    Round,
    RuleSet,
    VetoEvent,
    VetoRule,
)
from .workflow import (
    EDITABLE,
    may_prepare_applications,
    may_publish_notice,
    may_resolve_objections,
    may_see_notices,
)

S = Application.Status


def applications_visible_to(principal):
    """The applications the principal sees, with what a list shows of them. Joined: the enterprise,
    its town, the round and the level applied for; read by prefetch (a query each, on the page's
    rows only): the proposed level and the notice. PostgreSQL's planning time grows steeply with
    each outer join (about 1 ms for these four, 45 ms with the two nullable ones and the
    certificate added on a loaded machine, where the page itself takes 1 ms to execute)."""
    return (
        Application.objects.visible_to(principal)
        .select_related("enterprise", "enterprise__town", "round", "target_level")
        .prefetch_related("proposed_level", "notice")
    )


#: The applications' list order, newest submission first (drafts, not yet submitted, first of all):
#: served by the indexes `application_order`, `application_status_order` and
#: `application_ent_order`; the primary key makes it total.
LIST_ORDER = ("-submitted_at", "-created_at", "-id")


def action_guard_prefetches():
    """What the workflow's guards read for `available_actions` on a list, and only where they are
    read: the reviewer's scores of the applications under review (the guard of "propose") and the
    open objections of those in notice (the guard of "certify"). Two queries per page, whatever the
    form's size, and a handful of rows instead of every score of every row."""
    return (
        Prefetch(
            "scores",
            queryset=ItemScore.objects.filter(application__status=S.UNDER_REVIEW).only(
                "id", "application_id", "review_score"
            ),
        ),
        Prefetch(
            "objections",
            queryset=Objection.objects.filter(
                application__status=S.IN_NOTICE, status=Objection.Status.OPEN
            ).only("id", "application_id", "status"),
        ),
    )


#: The certificates' list order, newest first (index `certificate_order`; the number is unique).
CERTIFICATE_ORDER = ("-issued_on", "number")


def certificates_visible_to(principal):
    return (
        Certificate.objects.visible_to(principal)
        .select_related("enterprise", "level", "round", "document")
        .order_by(*CERTIFICATE_ORDER)
    )


@dataclass
class Title:
    """An enterprise's certification title today (`current_title`)."""

    enterprise: Enterprise | None
    #: The certificate in force today, the highest level if several; None if none is.
    current: Certificate | None
    #: The enterprise's newest certificate, in force or not (what a refusal names).
    latest: Certificate | None


def current_title(principal, uscc: str, today: dt.date | None = None) -> Title:
    """The title in force today of the enterprise with this (valid, normalised) credit code, among
    the enterprises the principal sees: the enterprise through its unique credit code, then its
    few certificates through `(enterprise, status)`; two short index reads, whatever the table's
    size."""
    today = today or timezone.localdate()
    enterprise = Enterprise.objects.visible_to(principal).filter(uscc=uscc).first()
    if enterprise is None:
        return Title(None, None, None)
    certificates = Certificate.objects.filter(enterprise=enterprise).select_related(
        "enterprise", "level", "round", "document"
    )
    current = certificates.valid_on(today).order_by("-level__rank", "-issued_on", "number").first()
    latest = current or certificates.order_by("-issued_on", "number").first()
    return Title(enterprise, current, latest)


def no_title_message(title: Title, today: dt.date) -> str:
    """Why the enterprise of `title` holds no title today, naming its last certificate if any."""
    cert = title.latest
    if cert is None:
        return _("The enterprise holds no certificate.")
    values = {"number": cert.number, "date": cert.ended_on or cert.valid_until}
    state = rules.verification_state(cert, today)
    if state == Certificate.Status.REVOKED:
        return (
            _("The enterprise holds no title in force: certificate %(number)s was revoked on %(date)s.")
            % values
        )
    if state == Certificate.Status.LAPSED:
        return (
            _("The enterprise holds no title in force: certificate %(number)s lapsed on %(date)s.") % values
        )
    if state == "expired":
        return _("The enterprise holds no title in force: certificate %(number)s expired on %(date)s.") % {
            "number": cert.number,
            "date": cert.valid_until,
        }
    return _(
        "The enterprise holds no title in force today: certificate %(number)s is valid from %(date)s."
    ) % {
        "number": cert.number,
        "date": cert.issued_on,
    }


def open_objections_count():
    """The application's open objections, as a correlated subquery: computed for the rows of the
    page only (a COUNT over a join would group every application before the page is cut), through
    the partial index `objection_open`."""
    counted = (
        Objection.objects.filter(application=OuterRef("pk"), status=Objection.Status.OPEN)
        .order_by()
        .values("application")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def application_list(principal, params):
    qs = applications_visible_to(principal)
    fs = ApplicationFilter(params, queryset=qs)
    qs = fs.qs if fs.is_valid() else qs.none()
    if params.get("ordering") and fs.is_valid():
        # A chosen order first, then the list's own, so that every order is total.
        qs = qs.order_by(*qs.query.order_by, *LIST_ORDER)
    else:
        qs = qs.order_by(*LIST_ORDER)
    return fs, qs.annotate(open_objections=open_objections_count())


def get_application(principal, pk) -> Application:
    return get_visible_or_404(
        Application.objects.select_related(
            "enterprise",
            "enterprise__town",
            "round",
            "rule_set",
            "target_level",
            "proposed_level",
            "notice",
            "reviewer",
        ),
        principal,
        pk=pk,
    )


#: The public notices' order, newest first (index `notice_order`).
NOTICE_ORDER = ("-starts_on", "-created_at", "-id")


def notice_list():
    """The public notices for administrators, newest first, each with its number of applications
    and of open objections: correlated subqueries computed for the page's notices only (through
    the applications' notice index and the partial index of open objections), not a join of
    every noticed application grouped before the page is cut."""
    applications = (
        Application.objects.filter(notice=OuterRef("pk"))
        .order_by()
        .values("notice")
        .annotate(n=Count("pk"))
        .values("n")
    )
    objections = (
        Objection.objects.filter(application__notice=OuterRef("pk"), status=Objection.Status.OPEN)
        .order_by()
        .values("application__notice")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        PublicNotice.objects.select_related("round", "document", "published_by")
        .annotate(
            n_applications=Coalesce(Subquery(applications, output_field=IntegerField()), 0),
            n_open_objections=Coalesce(Subquery(objections, output_field=IntegerField()), 0),
        )
        .order_by(*NOTICE_ORDER)
    )


def open_rounds(on: dt.date | None = None):
    on = on or timezone.localdate()
    return Round.objects.filter(opens_on__lte=on, closes_on__gte=on).select_related("rule_set")


def preparable_enterprises(principal):
    """Enterprises for which the principal may start a self-evaluation (their own, as HR)."""
    if principal.is_api_client or not principal.user.has_perm("certification.prepare_application"):
        return Enterprise.objects.none()
    return Enterprise.objects.filter(organisation_id__in=principal.organisation_ids(Role.ENTERPRISE_HR))


@dataclass
class Step:
    key: str
    title: str
    done: bool
    url_arg: str


def form_sections(application: Application):
    """Categories of the application's form with their items, scores and evidence files, for the
    wizard and the review page (three queries whatever the form's size)."""
    scores = {s.item_id: s for s in application.scores.select_related("item", "reviewed_by")}
    evidence: dict = {}
    for ev in application.evidence.filter(purpose=Evidence.Purpose.ITEM):
        evidence.setdefault(ev.item_id, []).append(ev)
    sections = []
    for cat in application.rule_set.categories.prefetch_related("items"):
        rows = []
        for item in cat.items.all():
            score = scores.get(item.pk)
            files = evidence.get(item.pk, [])
            rows.append(
                {
                    "item": item,
                    "score": score,
                    "files": files,
                    "missing_evidence": item.evidence_required and not files,
                }
            )
        done = all(
            r["score"] is not None and r["score"].self_score is not None and not r["missing_evidence"]
            for r in rows
        )
        reviewed = all(r["score"] is not None and r["score"].review_score is not None for r in rows)
        max_points = sum(r["item"].max_points for r in rows)
        self_total = sum((r["score"].self_score or 0) for r in rows if r["score"])
        review_total = sum((r["score"].review_score or 0) for r in rows if r["score"])
        sections.append(
            {
                "category": cat,
                "rows": rows,
                "done": done,
                "reviewed": reviewed,
                "max_points": max_points,
                "self_total": self_total,
                "review_total": review_total,
            }
        )
    return sections


def wizard_steps(application: Application, sections=None) -> list[Step]:
    sections = sections if sections is not None else form_sections(application)
    steps = [Step(s["category"].code, s["category"].name, s["done"], s["category"].code) for s in sections]
    members = list(application.group.all())
    steps.append(Step("group", _("Self-evaluation group"), bool(members), "group"))
    steps.append(Step("disclosure", _("Disclosure"), bool(application.disclosure_method), "disclosure"))
    steps.append(Step("submit", _("Check and submit"), application.status not in EDITABLE, "submit"))
    return steps


def progress(steps: list[Step]) -> int:
    """Percentage of the wizard's steps done (the last step, submitting, excluded)."""
    work = steps[:-1]
    return round(100 * sum(1 for s in work if s.done) / len(work)) if work else 0


def history(application: Application):
    return application.history.select_related("actor").order_by("at")


# -------------------------------------------------------------------------- eligibility


def held_certificate(enterprise: Enterprise, on: dt.date | None = None) -> Certificate | None:
    """The enterprise's valid title with the highest level on `on` (levels compare by rank)."""
    on = on or timezone.localdate()
    return (
        Certificate.objects.valid_on(on)
        .filter(enterprise=enterprise)
        .select_related("level")
        .order_by("-level__rank", "issued_on")
        .first()
    )


def next_level(enterprise: Enterprise, rule_set: RuleSet):
    """The level the enterprise may apply for next: one above its valid title (levels are climbed
    one at a time), or the lowest level without a title. None when it holds the highest."""
    held = held_certificate(enterprise)
    return rule_set.levels.filter(rank=(held.level.rank if held else 0) + 1).first()


def vetoes_in_window(enterprise: Enterprise, rule_set: RuleSet, on: dt.date):
    """Confirmed veto events of the enterprise within their kind's look-back window ending on `on`
    (`rules.vetoes_in_window`), as (veto rule, event). A proposed event does not count until the
    park confirms it; a dismissed one never does."""
    events = list(VetoEvent.objects.confirmed().filter(enterprise=enterprise, occurred_on__lte=on))
    return rules.vetoes_in_window(rule_set.veto_rules.all(), events, on)


def proposed_vetoes(enterprise: Enterprise):
    """The enterprise's veto events waiting for the park's decision (shown to the reviewer, not
    counted)."""
    return list(VetoEvent.objects.filter(enterprise=enterprise, status=VetoEvent.Status.PROPOSED))


# -------------------------------------------------------------------------- the platform's facts


def known_fact_codes() -> set[str] | None:
    """The fact codes the installed modules provide (`apps.core.facts`), read from the facts of
    one enterprise (every provider returns each of its facts, its value None when it cannot
    tell). None when the registry is empty (nothing to ask)."""
    enterprise = Enterprise.objects.order_by("pk").first()
    if enterprise is None:
        return None
    return set(collect_facts(enterprise, timezone.localdate()))


@dataclass
class FactRow:
    """A platform fact as a page or the API shows it: the link only if the viewer may follow it."""

    fact: Fact
    link: str


@dataclass
class ItemFact:
    """An item the platform can check: the fact (None when no module provides it), the check of
    the self-score against it (`rules.check_self_score`) and the link for the viewer."""

    item: object
    fact: Fact | None
    check: rules.FactCheck
    link: str
    #: The enterprise's self-score of the item (None when not scored).
    score: object = None


@dataclass
class FactReview:
    """What the platform holds about the application's enterprise (`facts`, every module's, by
    code), and each checkable item's self-score against its fact (`by_item`, by item id)."""

    facts: list[FactRow]
    by_item: dict
    as_of: dt.date

    @property
    def disagreements(self) -> list[ItemFact]:
        return [row for row in self.by_item.values() if row.check.disagrees]


def fact_review(
    principal, application: Application, sections=None, today: dt.date | None = None
) -> FactReview:
    """The platform's facts about the application's enterprise, collected once for the page
    (`apps.core.facts.collect_facts`, with the system's view: aggregates), and each mapped item's
    self-score checked against its fact. `sections` (`form_sections`) saves reading the items
    and scores again; each of their rows gets its `fact` (an ItemFact or None)."""
    today = today or timezone.localdate()
    user = principal.user
    facts = collect_facts(application.enterprise, today)
    if sections is None:
        sections = form_sections(application)
    by_item = {}
    for section in sections:
        for row in section["rows"]:
            item = row["item"]
            if not item.fact_code:
                row["fact"] = None
                continue
            fact = facts.get(item.fact_code)
            score = row["score"].self_score if row["score"] is not None else None
            checked = ItemFact(
                item=item,
                fact=fact,
                check=rules.check_self_score(item, score, fact),
                link=fact.link_for(user) if fact is not None else "",
                score=score,
            )
            row["fact"] = by_item[item.pk] = checked
    rows = [FactRow(fact, fact.link_for(user)) for _code, fact in sorted(facts.items())]
    return FactReview(facts=rows, by_item=by_item, as_of=today)


def submission_problems(application: Application, on: dt.date | None = None) -> dict[str, list[str]]:
    """Every reason the application may not be submitted on `on` (`rules.submission_problems`),
    keyed by what it concerns, each message ending with its source. Empty when it may."""
    on = on or timezone.localdate()
    app = application
    return rules.submission_problems(
        app,
        on,
        scores=list(app.scores.select_related("item")),
        evidenced=set(app.evidence.filter(purpose=Evidence.Purpose.ITEM).values_list("item_id", flat=True)),
        members=list(app.group.all()),
        held=held_certificate(app.enterprise, on),
        vetoes=vetoes_in_window(app.enterprise, app.rule_set, on),
        another_open=Application.objects.filter(
            round=app.round, enterprise=app.enterprise, status__in=Application.OPEN
        )
        .exclude(pk=app.pk)
        .exists(),
    )


def has_open_objections(application: Application) -> bool:
    return application.objections.filter(status=Objection.Status.OPEN).exists()


def veto_catalogue() -> dict[str, str]:
    """Veto codes and names across the rule sets (newest name wins)."""
    rows = VetoRule.objects.order_by("rule_set__year", "rule_set__version").values_list("code", "name")
    return dict(rows)


def rule_set_in_use(rule_set: RuleSet) -> bool:
    """A rule set used by a round or an application never changes (a change is a new version)."""
    return rule_set.rounds.exists() or rule_set.applications.exists()


# -------------------------------------------------------------------------- recipients


def hr_users(enterprise: Enterprise):
    """The enterprise's HR users (the recipients of what happens to its application and titles)."""
    return [
        m.user
        for m in Membership.objects.filter(
            organisation_id=enterprise.organisation_id, role=Role.ENTERPRISE_HR
        ).select_related("user")
    ]


def veto_recipients():
    """The park administrators, who confirm or dismiss the veto events the platform proposes."""
    return reviewer_users()


def reviewer_users():
    """The park administrators (the recipients of new applications and objections)."""
    return [m.user for m in Membership.objects.filter(role=Role.PARK_ADMIN).select_related("user")]


# -------------------------------------------------------------------------- public notice form


def rounds_with_proposed():
    """Rounds that have applications waiting to be noticed (status proposed)."""
    return Round.objects.filter(applications__status=Application.Status.PROPOSED).distinct()


def proposed_applications(round_):
    if round_ is None:
        return Application.objects.none()
    return (
        Application.objects.filter(round=round_, status=Application.Status.PROPOSED)
        .select_related("enterprise", "proposed_level", "target_level")
        .order_by("enterprise__name")
    )


# -------------------------------------------------------------------------- public pages


def running_notices(on: dt.date | None = None):
    """Notices running on `on`, each with its applications (enterprise, USCC, proposed level)."""
    on = on or timezone.localdate()
    apps = Application.objects.filter(status__in=[S.IN_NOTICE]).select_related("enterprise", "proposed_level")
    return (
        PublicNotice.objects.filter(starts_on__lte=on, ends_on__gte=on)
        .select_related("round", "document")
        .prefetch_related(
            Prefetch("applications", queryset=apps.order_by("enterprise__name"), to_attr="listed")
        )
    )


def notice_application(notice_id, application_id) -> Application | None:
    """An application in a running notice, for the public objection form; None otherwise."""
    today = timezone.localdate()
    return (
        Application.objects.filter(
            pk=application_id,
            notice_id=notice_id,
            status=S.IN_NOTICE,
            notice__starts_on__lte=today,
            notice__ends_on__gte=today,
        )
        .select_related("enterprise", "proposed_level", "notice")
        .first()
    )


@dataclass
class Verification:
    certificate: Certificate
    state: str
    label: str
    sha256: str


VERIFY_LABELS = {
    "valid": gettext_lazy("Valid"),
    "expired": gettext_lazy("Expired"),
    "lapsed": gettext_lazy("Lapsed"),
    "revoked": gettext_lazy("Revoked"),
    "not_yet_valid": gettext_lazy("Not yet valid"),
}


def verify_certificate(number: str) -> Verification | None:
    """What the public verification page shows for a certificate number (None if unknown)."""
    cert = (
        Certificate.objects.filter(number=number.strip().upper())
        .select_related("enterprise", "level", "round", "document")
        .first()
    )
    if cert is None:
        return None
    state = rules.verification_state(cert, timezone.localdate())
    sha = cert.document.sha256 if cert.document and cert.document.status == "ready" else ""
    return Verification(cert, state, str(VERIFY_LABELS[state]), sha)


# -------------------------------------------------------------------------- PDFs


def verification_url(number: str) -> str:
    """The public verification page of a certificate number (the QR code on the certificate)."""
    return absolute_url(reverse("verify", args=[number]))  # SITE_URL (issue 15)


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=1)


def certificate_pdf_context(cert: Certificate) -> dict:
    rs = cert.application.rule_set
    url = verification_url(cert.number)
    wording = rs.certificate_wording.format_map(
        _SafeDict(
            enterprise=cert.enterprise.name, level=cert.level.code, round=cert.round.name, region=rs.region
        )
    )
    return {
        "number": cert.number,
        "title": rs.certificate_title,
        "wording": wording,
        "enterprise": cert.enterprise.name,
        "uscc": cert.enterprise.uscc,
        "level": cert.level.code,
        "level_name": cert.level.name,
        "round": cert.round.name,
        "issuer": cert.issuer,
        "issued_on": cert.issued_on.isoformat(),
        "valid_until": cert.valid_until.isoformat(),
        "verify_url": url,
        "qr": qr_data_uri(url),
    }


class _SafeDict(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def notice_pdf_context(notice: PublicNotice) -> dict:
    rows = notice.applications.select_related("enterprise", "proposed_level").order_by("enterprise__name")
    return {
        "title": notice.title,
        "round": notice.round.name,
        "starts_on": notice.starts_on.isoformat(),
        "ends_on": notice.ends_on.isoformat(),
        "issuer": notice.round.rule_set.issuer,
        "url": settings.PUBLIC_BASE_URL + reverse("certification:public_notice"),
        "rows": [
            {
                "enterprise": a.enterprise.name,
                "uscc": a.enterprise.uscc,
                "level": (a.proposed_level or a.target_level).code,
            }
            for a in rows
        ],
    }


# -------------------------------------------------------------------------- figures


def current_rule_set() -> RuleSet | None:
    rnd = Round.objects.select_related("rule_set").order_by("-year", "-opens_on").first()
    return rnd.rule_set if rnd else RuleSet.objects.order_by("-year", "-version").first()


#: The cache topic of the certification figures: moved on by every save of an application or a
#: certificate (`CertificationConfig.ready`, so every service's write, the admin's and the jobs'),
#: as "enterprises" is by every save of an enterprise (its status and town count here too).
FIGURES_TOPIC = "certification"


def certification_figures(principal, on: dt.date | None = None) -> dict:
    """Certified by level and coverage (operating enterprises holding a valid title / operating
    enterprises) against the target of the current rule set, for the park and by town. Counted
    once per scope and day and kept until an application, a certificate or an enterprise changes
    (`FIGURES_TOPIC`, "enterprises") or for ten minutes."""
    on = on or timezone.localdate()
    figures = cached_figures(
        f"certification:figures:{scope_key(principal)}:{on:%Y%m%d}",
        [FIGURES_TOPIC, "enterprises"],
        lambda: _certification_figures(principal, on),
    )
    statuses = figures["statuses"]
    return {
        **{k: v for k, v in figures.items() if k != "statuses"},
        "applications": [(label, statuses.get(value, 0)) for value, label in S.choices],
    }


def _certification_figures(principal, on: dt.date) -> dict:
    enterprises = Enterprise.objects.visible_to(principal).filter(status=EnterpriseStatus.OPERATING)
    valid = Certificate.objects.valid_on(on).filter(enterprise__in=enterprises)
    # Each enterprise counts once, at the highest level it holds (an AA holder may still hold a
    # valid A certificate).
    highest = Counter(
        valid.values("enterprise").annotate(rank=Max("level__rank")).values_list("rank", flat=True)
    )
    codes = dict(valid.values_list("level__rank", "level__code").distinct())
    by_level = [
        {"level__code": codes[rank], "level__rank": rank, "n": highest[rank]} for rank in sorted(highest)
    ]
    certified_ids = valid.values("enterprise")
    by_town = list(
        enterprises.values("town__name", "town__code")
        .annotate(total=Count("pk"), certified=Count("pk", filter=Q(pk__in=certified_ids)))
        .order_by("town__code")
    )
    rs = current_rule_set()
    target = float(rs.coverage_target) * 100 if rs else 90.0
    for row in by_town:
        row["coverage"] = rules.percent(row["certified"], row["total"])
        row["meets_target"] = row["coverage"] is not None and row["coverage"] >= round(target, 1)
    total = enterprises.count()
    certified = enterprises.filter(pk__in=certified_ids).count()
    coverage = rules.percent(certified, total)
    statuses = dict(
        Application.objects.visible_to(principal)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {
        "by_level": by_level,
        "by_town": by_town,
        "total": total,
        "certified": certified,
        "coverage": coverage,
        "target": round(target, 1),
        "gap": max(0, rules.needed_for_target(total, target) - certified),
        "meets_target": coverage is not None and coverage >= target,
        "statuses": statuses,
    }


# -------------------------------------------------------------------------- hooks


def enterprise_certification(principal, enterprise: Enterprise) -> dict:
    today = timezone.localdate()
    certs = list(
        Certificate.objects.visible_to(principal)
        .filter(enterprise=enterprise)
        .select_related("level", "round", "document")
        .order_by("-issued_on")
    )
    reports = list(
        AnnualReport.objects.filter(
            certificate__in=[c for c in certs if c.status == Certificate.Status.VALID]
        )
        .select_related("certificate")
        .order_by("due_on")
    )
    for report in reports:
        report.overdue = rules.report_overdue(report, today)
    # What the dossier shows of the ten latest: the round and the level applied for (no prefetch).
    apps = list(
        Application.objects.visible_to(principal)
        .filter(enterprise=enterprise)
        .select_related("round", "target_level")
        .order_by("-created_at")[:10]
    )
    # Proposed and dismissed events show with their status; only confirmed ones count.
    vetoes = list(VetoEvent.objects.visible_to(principal).filter(enterprise=enterprise)[:10])
    # The title held today (`held_certificate`), read from the certificates already loaded.
    valid = [
        c for c in certs if c.status == Certificate.Status.VALID and c.issued_on <= today <= c.valid_until
    ]
    held = min(valid, key=lambda c: (-c.level.rank, c.issued_on), default=None)
    return {
        "held": held,
        "certificates": certs,
        "reports": reports,
        "applications": apps,
        "vetoes": vetoes,
        "today": today,
        "can": {"prepare": may_prepare_applications(principal)},
    }


def dossier_sections(principal, enterprise) -> list[dict]:
    """The certification section of the dossier: hidden (not empty) for a role that may not read
    applications; certificates and annual reports are linked only with `view_certificate`."""
    user = principal.user
    if user is None or not user.has_perm("certification.view_application"):
        return [hidden_section("certification", _("Harmony certification"))]
    context = enterprise_certification(principal, enterprise)
    context["can"]["certificates"] = user.has_perm("certification.view_certificate")
    return [
        {
            "key": "certification",
            "title": _("Harmony certification"),
            "template": "certification/dossier_certification.html",
            "wide": True,
            "context": context,
        }
    ]


def _count_cached(principal, name: str, statuses: list[str]) -> int:
    """The principal's applications in `statuses` (a home card), counted once per scope until an
    application changes (`FIGURES_TOPIC`)."""
    return cached_figures(
        f"certification:{name}:{scope_key(principal)}",
        [FIGURES_TOPIC],
        lambda: Application.objects.visible_to(principal).filter(status__in=statuses).count(),
    )


def home_cards(principal):
    user = principal.user
    if user is None:
        return []
    cards = []
    if user.has_perm("certification.review_application"):
        waiting = _count_cached(principal, "to-review", [S.SUBMITTED, S.UNDER_REVIEW])
        cards.append(
            {
                "label": _("Certification applications to review"),
                "value": waiting,
                "url": reverse("certification:list") + "?status=submitted&status=under_review",
                "icon": "award",
            }
        )
    if user.has_perm("certification.view_certification_figures"):
        figures = certification_figures(principal)
        cards.append(
            {
                "label": _("Certified enterprises (%)"),
                "value": figures["coverage"] if figures["coverage"] is not None else "—",
                "url": reverse("certification:figures"),
                "icon": "patch-check",
                # The cockpit's figure of the same number: the home page shows one of the two.
                "figure": "certification.coverage",
            }
        )
    elif user.has_perm("certification.prepare_application"):
        mine = _count_cached(principal, "open", list(Application.OPEN))
        cards.append(
            {
                "label": _("Open certification applications"),
                "value": mine,
                "url": reverse("certification:list"),
                "icon": "award",
            }
        )
    return cards


def objections_of(application: Application, principal):
    return Objection.objects.visible_to(principal).filter(application=application).order_by("created_at")


# -------------------------------------------------------------------------- the worklist (issue 20)

#: Public notices ending within this many days, annual reports due within this many days.
NOTICE_ENDING_DAYS = 3
REPORT_DUE_DAYS = 30
#: The annual reports the worklist reads at most (an enterprise's HR has a handful).
REPORTS_READ = 50


def worklist(principal, today: dt.date | None = None) -> list[dict]:
    """What needs the principal in certification (hook `worklist`, apps.core.worklist): for the
    park, the applications to review, those proposed and waiting for a public notice, the
    applications with an open objection (to resolve before their notice ends) and the running
    notices that end within 3 days; for an enterprise's HR, their applications returned for
    changes (before the round closes) and the annual reports due within 30 days or overdue. Each
    through the lists' own scope (`Application.visible_to`); a handful of aggregates kept per
    scope and day until an application, certificate, report, objection or notice changes
    (FIGURES_TOPIC)."""
    user = principal.user
    if principal.is_api_client or user is None or not user.has_perm("certification.view_application"):
        return []
    today = today or timezone.localdate()
    park = {
        "review": user.has_perm("certification.review_application"),
        "publish": may_publish_notice(principal),
        "objections": may_resolve_objections(principal),
        "notices": may_see_notices(principal),
    }
    # The enterprise's own work: for its HR (a superuser holds the permissions, not the enterprise).
    own = bool(principal.organisation_ids(Role.ENTERPRISE_HR))
    hr = {
        "returned": own and may_prepare_applications(principal),
        "reports": own and user.has_perm("certification.submit_annualreport"),
    }
    if not any(park.values()) and not any(hr.values()):
        return []
    flags = "".join(str(int(v)) for v in (*park.values(), *hr.values()))
    counts = cached_figures(
        f"certification:worklist:{scope_key(principal)}:{flags}:{today:%Y%m%d}",
        [FIGURES_TOPIC],
        lambda: _worklist_counts(principal, today, notices=park["notices"], reports=hr["reports"]),
    )
    module = _("Certification")
    url = reverse("certification:list")
    items = []
    if park["review"]:
        n = counts["review"]
        items.append(
            work_item(
                "certification.review",
                ngettext("%(n)d application to review", "%(n)d applications to review", n) % {"n": n},
                n,
                url=url + "?status=submitted&status=under_review",
                module=module,
                state=WAITING,
            )
        )
    if park["publish"]:
        n = counts["proposed"]
        items.append(
            work_item(
                "certification.proposed",
                ngettext(
                    "%(n)d proposed application waiting for a public notice",
                    "%(n)d proposed applications waiting for a public notice",
                    n,
                )
                % {"n": n},
                n,
                url=url + "?status=proposed",
                module=module,
                state=WAITING,
            )
        )
    if park["objections"]:
        n = counts["objected"]
        items.append(
            work_item(
                "certification.objections",
                ngettext(
                    "%(n)d application with an open objection",
                    "%(n)d applications with an open objection",
                    n,
                )
                % {"n": n},
                n,
                url=url + "?has_open_objection=true",
                module=module,
                due=counts["objected_due"],
                today=today,
            )
        )
    if park["notices"]:
        n = counts["notices_ending"]
        items.append(
            work_item(
                "certification.notices_ending",
                ngettext(
                    "%(n)d public notice ending within %(days)d days",
                    "%(n)d public notices ending within %(days)d days",
                    n,
                )
                % {"n": n, "days": NOTICE_ENDING_DAYS},
                n,
                url=reverse("certification:notice_list"),
                module=module,
                due=counts["notices_due"],
                today=today,
            )
        )
    if hr["returned"]:
        n = counts["returned"]
        items.append(
            work_item(
                "certification.returned",
                ngettext(
                    "%(n)d application returned for changes",
                    "%(n)d applications returned for changes",
                    n,
                )
                % {"n": n},
                n,
                url=url + "?status=returned",
                module=module,
                due=counts["returned_due"],
                today=today,
            )
        )
    if hr["reports"]:
        reports = counts["reports"]
        n = len(reports)
        first = reports[0] if reports else None
        items.append(
            work_item(
                "certification.annual_reports",
                ngettext("%(n)d annual report to hand in", "%(n)d annual reports to hand in", n) % {"n": n},
                n,
                # One report: its form; several: the title's page, which lists its reports.
                url=(
                    reverse("certification:annual_report", args=[first[0]])
                    if n == 1
                    else reverse("certification:certificate", args=[first[2]])
                    if first
                    else ""
                ),
                module=module,
                due=first[1] if first else None,
                today=today,
                soon_days=REPORT_DUE_DAYS,
            )
        )
    return items


def _worklist_counts(principal, today: dt.date, *, notices: bool, reports: bool) -> dict:
    """One aggregate over the principal's open applications (few; the status index), the running
    notices (few) and the enterprise's annual reports not handed in."""
    open_objection = Exists(
        Objection.objects.filter(application=OuterRef("pk"), status=Objection.Status.OPEN)
    )
    objected = Q(open_objection)
    returned = Q(status=S.RETURNED)
    counts = (
        Application.objects.visible_to(principal)
        .filter(status__in=[S.SUBMITTED, S.UNDER_REVIEW, S.PROPOSED, S.RETURNED, S.IN_NOTICE])
        .aggregate(
            review=Count("pk", filter=Q(status__in=[S.SUBMITTED, S.UNDER_REVIEW])),
            proposed=Count("pk", filter=Q(status=S.PROPOSED)),
            returned=Count("pk", filter=returned),
            returned_due=Min("round__closes_on", filter=returned),
            objected=Count("pk", filter=objected),
            objected_due=Min("notice__ends_on", filter=objected),
        )
    )
    counts.update(notices_ending=0, notices_due=None, reports=[])
    if notices:
        ending = PublicNotice.objects.filter(
            closed_at__isnull=True,
            starts_on__lte=today,
            ends_on__gte=today,
            ends_on__lte=today + dt.timedelta(days=NOTICE_ENDING_DAYS),
        ).aggregate(n=Count("pk"), due=Min("ends_on"))
        counts.update(notices_ending=ending["n"], notices_due=ending["due"])
    if reports:
        counts["reports"] = list(
            AnnualReport.objects.filter(
                certificate__in=Certificate.objects.visible_to(principal).filter(
                    status=Certificate.Status.VALID,
                    enterprise__organisation_id__in=principal.organisation_ids(Role.ENTERPRISE_HR),
                ),
                submitted_at__isnull=True,
                due_on__lte=today + dt.timedelta(days=REPORT_DUE_DAYS),
            )
            .order_by("due_on", "pk")
            .values_list("pk", "due_on", "certificate__number")[:REPORTS_READ]
        )
    return counts


def search(principal, query) -> list[dict]:
    """The search across modules (`apps.core.search`): a certificate by its number (exact, through
    its unique index) among those the principal sees (through the enterprise, as the list)."""
    if not query.serial or not may(principal, "certification.view_certificate"):
        return []
    kind = _("Certificate")
    cert = (
        Certificate.objects.visible_to(principal)
        .filter(number=query.serial)
        .select_related("enterprise", "level")
        .first()
    )
    entries = []
    if cert is not None:
        entries.append(
            hit(
                "certification",
                kind,
                f"{cert.number} · {cert.enterprise.name}",
                _("%(level)s · %(status)s · valid until %(until)s")
                % {
                    "level": cert.level.name,
                    "status": cert.get_status_display(),
                    "until": f"{cert.valid_until:%Y-%m-%d}",
                },
                reverse("certification:certificate", args=[cert.number]),
            )
        )
    return [*entries, searched("certification", kind)]
