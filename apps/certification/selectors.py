"""Reads of harmony certification: lists scoped through `visible_to`, the wizard's progress, the
public notice and verification, figures, the dossier section and PDF contexts."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db.models import Count, Max, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.enterprises.choices import Status as EnterpriseStatus
from apps.enterprises.models import Enterprise

from . import services
from .filters import ApplicationFilter
from .models import (
    AnnualReport,
    Application,
    Certificate,
    Evidence,
    Objection,
    PublicNotice,
    Round,
    RuleSet,
    VetoEvent,
)
from .workflow import CERTIFICATE_WORKFLOW, WORKFLOW

S = Application.Status


def applications_visible_to(principal):
    return Application.objects.visible_to(principal).select_related(
        "enterprise", "enterprise__town", "round", "target_level", "proposed_level", "notice"
    )


def application_list(principal, params):
    qs = applications_visible_to(principal).annotate(
        open_objections=Count("objections", filter=Q(objections__status=Objection.Status.OPEN))
    )
    fs = ApplicationFilter(params, queryset=qs)
    return fs, (fs.qs if fs.is_valid() else qs.none()).order_by(*_default_order(params))


def _default_order(params):
    return [] if params.get("ordering") else ["-submitted_at", "-created_at"]


def get_application(principal, pk) -> Application:
    from apps.core.scoping import get_visible_or_404

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


def open_rounds(on: dt.date | None = None):
    on = on or timezone.localdate()
    return Round.objects.filter(opens_on__lte=on, closes_on__gte=on).select_related("rule_set")


def preparable_enterprises(principal):
    """Enterprises for which the principal may start a self-evaluation (their own, as HR)."""
    from apps.accounts.roles import Role

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
    steps.append(Step("submit", _("Check and submit"), application.status not in services.EDITABLE, "submit"))
    return steps


def progress(steps: list[Step]) -> int:
    """Percentage of the wizard's steps done (the last step, submitting, excluded)."""
    work = steps[:-1]
    return round(100 * sum(1 for s in work if s.done) / len(work)) if work else 0


def available_actions(application: Application, principal) -> list[str]:
    actions = [t.action for t in WORKFLOW.available(application, principal)]
    if services.may_edit_self_evaluation(principal, application):
        actions.insert(0, "edit")
    if application.status == S.UNDER_REVIEW and services.can_review(principal):
        actions.insert(0, "score")
    # Submitting and withdrawing are for the enterprise itself (services.can_prepare).
    if not services.can_prepare(principal, application):
        actions = [a for a in actions if a not in ("submit", "withdraw")]
    return actions


def certificate_actions(certificate: Certificate, principal) -> list[str]:
    return [t.action for t in CERTIFICATE_WORKFLOW.available(certificate, principal) if t.action == "revoke"]


def history(application: Application):
    return application.history.select_related("actor").order_by("at")


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
    today = timezone.localdate()
    if cert.status != Certificate.Status.VALID:
        state = cert.status
    elif cert.valid_until < today:
        state = "expired"
    elif cert.issued_on > today:
        state = "not_yet_valid"
    else:
        state = "valid"
    sha = cert.document.sha256 if cert.document and cert.document.status == "ready" else ""
    return Verification(cert, state, str(VERIFY_LABELS[state]), sha)


# -------------------------------------------------------------------------- PDFs


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=1)


def certificate_pdf_context(cert: Certificate) -> dict:
    rs = cert.application.rule_set
    url = services.verification_url(cert.number)
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


def certification_figures(principal, on: dt.date | None = None) -> dict:
    """Certified by level and coverage (operating enterprises holding a valid title / operating
    enterprises) against the target of the current rule set, for the park and by town."""
    on = on or timezone.localdate()
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
    for row in by_town:
        row["coverage"] = _pct(row["certified"], row["total"])
    total = enterprises.count()
    certified = enterprises.filter(pk__in=certified_ids).count()
    rs = current_rule_set()
    target = float(rs.coverage_target) * 100 if rs else 90.0
    coverage = _pct(certified, total)
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
        "gap": max(0, _needed(total, target) - certified),
        "meets_target": coverage is not None and coverage >= target,
        "applications": [(label, statuses.get(value, 0)) for value, label in S.choices],
    }


def _pct(part, whole):
    return round(100 * part / whole, 1) if whole else None


def _needed(total: int, target_pct: float) -> int:
    import math

    return math.ceil(total * target_pct / 100 - 1e-9)


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
    apps = list(applications_visible_to(principal).filter(enterprise=enterprise).order_by("-created_at")[:10])
    vetoes = list(VetoEvent.objects.visible_to(principal).filter(enterprise=enterprise)[:10])
    held = services.held_certificate(enterprise, today)
    return {
        "held": held if held and any(c.pk == held.pk for c in certs) else None,
        "certificates": certs,
        "reports": reports,
        "applications": apps,
        "vetoes": vetoes,
        "today": today,
    }


def dossier_sections(principal, enterprise) -> list[dict]:
    user = principal.user
    if user is None or not user.has_perm("certification.view_application"):
        return []
    return [
        {
            "key": "certification",
            "title": _("Harmony certification"),
            "template": "certification/dossier_certification.html",
            "wide": True,
            "context": enterprise_certification(principal, enterprise),
        }
    ]


def home_cards(principal):
    user = principal.user
    if user is None:
        return []
    cards = []
    if user.has_perm("certification.review_application"):
        waiting = (
            Application.objects.visible_to(principal).filter(status__in=[S.SUBMITTED, S.UNDER_REVIEW]).count()
        )
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
            }
        )
    elif user.has_perm("certification.prepare_application"):
        mine = Application.objects.visible_to(principal).filter(status__in=Application.OPEN).count()
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
