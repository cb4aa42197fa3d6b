"""Reads of the enterprise registry. Every function takes the acting principal and starts from
`Enterprise.objects.visible_to(principal)`."""

from __future__ import annotations

import datetime as dt
from html import escape
from html.parser import HTMLParser
from urllib.parse import urlencode

from django.apps import apps
from django.db.models import BooleanField, Case, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from apps.core.cache import cached_figures, scope_key
from apps.core.facts import Fact, collect_facts
from apps.core.scoping import get_visible_or_404
from apps.core.search import PER_KIND, hit, may, more, searched
from apps.documents.models import GeneratedDocument
from apps.documents.selectors import document_state

from . import workflow
from .choices import SizeBand, Status, size_band
from .filters import EnterpriseFilter
from .models import Enterprise, EnterpriseSurvey
from .rules import (
    HAS_OWN_UNION,
    HAS_UNION,
    NEEDS_UNION,
    REGISTRY_EMPLOYEES,
    SURVEY_FACTS,
    UNION_COMMITTEE_SOURCE,
    UNION_COMMITTEE_THRESHOLD,
    survey_disagreements,
)

__all__ = [
    "HAS_OWN_UNION",
    "HAS_UNION",
    "NEEDS_UNION",
    "UNION_COMMITTEE_SOURCE",
    "UNION_COMMITTEE_THRESHOLD",
]


def _flag(condition):
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def enterprises_visible_to(principal):
    """The registry as the principal may see it, with what lists show (no per-row queries)."""
    return (
        Enterprise.objects.visible_to(principal)
        .select_related("town", "latest_survey", "union_coverage__union")
        .annotate(has_union=_flag(HAS_UNION), needs_union=_flag(NEEDS_UNION))
    )


def enterprise_list(principal, params=None):
    """The filtered, sorted list for pages, exports and the API (same parameters everywhere)."""
    filterset = EnterpriseFilter(params or {}, queryset=enterprises_visible_to(principal))
    qs = filterset.qs if filterset.is_valid() else enterprises_visible_to(principal).none()
    return filterset, qs


def get_enterprise(principal, pk) -> Enterprise:
    return get_visible_or_404(enterprises_visible_to(principal), principal, pk=pk)


def surveys_of(principal, enterprise):
    return EnterpriseSurvey.objects.visible_to(principal).filter(enterprise=enterprise).order_by("-year")


# The yearly survey against the platform's records (issue 17 item 3, domain guide §9) ---------------

#: The answers of a survey (every field but its enterprise and year).
SURVEY_ANSWERS = tuple(
    f.name
    for f in EnterpriseSurvey._meta.concrete_fields
    if f.name not in ("id", "enterprise", "year", "created_at", "updated_at")
)
#: Where an answer prefilled from the platform's records comes from, by fact code.
FACT_ORIGINS = {
    "unions.has_union": _("platform: union register"),
    "unions.members": _("platform: union register"),
    "contracts.signing_rate": _("platform: contract book"),
    "unions.collective_contract": _("platform: collective contracts"),
    "unions.wage_agreement": _("platform: collective contracts"),
    "unions.congress_held": _("platform: workers' congress records"),
    REGISTRY_EMPLOYEES: _("platform: enterprise registry"),
}


def survey_as_of(year, today=None):
    """The day a survey of `year` describes, for the records it is compared with: the end of its
    year, or today for the current year."""
    today = today or timezone.localdate()
    if not isinstance(year, int):
        return today
    return min(today, dt.date(year, 12, 31))


def _fact_visible(principal, code: str, fact) -> bool:
    """Whether the principal may see the records behind a fact (a module's fact takes no part in a
    survey's prefill or marks for a viewer who may not see that module's records)."""
    if principal.sees_everything:
        return True
    if principal.is_api_client:
        return principal.has_scope(f"{code.split('.', 1)[0]}:read")
    permission = getattr(fact, "permission", "")
    return not permission or (principal.user is not None and principal.user.has_perm(permission))


def survey_facts(principal, enterprise, year, today=None, *, registry: bool = True, sections=None) -> dict:
    """The platform's records a survey of `year` is compared with (`apps.core.facts.collect_facts`
    on `survey_as_of(year)`, those the principal may see, and, on the dossier, only those of the
    `sections` shown to the viewer), plus the registry's employee count
    (`rules.REGISTRY_EMPLOYEES`, when `registry` and the registry has one). The one source of the
    survey's marks: the survey form, the API and the dossier read the same."""
    as_of = survey_as_of(year, today)
    facts = {
        code: fact
        for code, fact in facts_on(enterprise, as_of).items()
        if _fact_visible(principal, code, fact)
        and (sections is None or (section := fact_section(code)) is None or section in sections)
    }
    if registry and enterprise.employees:
        facts[REGISTRY_EMPLOYEES] = Fact(
            code=REGISTRY_EMPLOYEES,
            label=_("employees"),
            value=enterprise.employees,
            display=str(enterprise.employees),
            source=str(_("enterprise registry")),
            as_of=as_of,
        )
    return facts


def survey_prefill(principal, enterprise, year, today=None) -> tuple[dict, dict]:
    """The initial answers of a new survey of `year`, and where each comes from (field -> label).
    Last year's answers (the most recent earlier survey), then, where the platform holds a record
    that can tell (a fact whose value is not None), the record: the union and its members, the
    book's signing rate, a collective contract and a wage agreement in force, a congress with
    quorum in the twelve months, the registry's employees."""
    initial, origins = {}, {}
    previous = None
    if isinstance(year, int):
        previous = surveys_of(principal, enterprise).filter(year__lt=year).first()
    if previous is not None:
        if previous.year == year - 1:
            label = _("last year's survey")
        else:
            label = _("the %(year)d survey") % {"year": previous.year}
        for name in SURVEY_ANSWERS:
            initial[name] = getattr(previous, name)
            origins[name] = label
    facts = survey_facts(principal, enterprise, year, today)
    for name, code in SURVEY_FACTS.items():
        value = getattr(facts.get(code), "value", None)
        if value is None:
            continue
        initial[name] = value
        origins[name] = FACT_ORIGINS.get(code, _("platform records"))
    return initial, origins


def survey_checks(principal, enterprise, survey, today=None, *, sections=None) -> dict[str, str]:
    """The marks of a survey (an EnterpriseSurvey, or a dict of answers with its "year"): each
    answer that disagrees with the platform's records, field -> what the record says
    (`rules.survey_disagreements`). A survey is saved as the enterprise reports it; the marks
    explain it. The registry's employee count is compared with a new survey and with the latest
    (an older survey's count is not the registry's business)."""
    if isinstance(survey, dict):
        answers, year, registry = survey, survey.get("year"), True
    else:
        answers = {name: getattr(survey, name) for name in SURVEY_FACTS}
        year = survey.year
        registry = enterprise.latest_survey_id in (None, survey.pk)
    facts = survey_facts(principal, enterprise, year, today, registry=registry, sections=sections)
    return survey_disagreements(answers, facts)


# The dossier (一户一册) ----------------------------------------------------------------------------

#: Sections of the one-enterprise-one-file dossier (一户一册), in order (issue 17). The registry and
#: the survey history are this module's (built here, after the others: the survey's comparison
#: shows only the facts of modules the viewer may see); the others fill theirs through
#: `dossier_sections = "apps.x.selectors.dossier_sections"` on their AppConfig: a function
#: (principal, enterprise) -> list of {"key", "title", "template", "context", optional "wide",
#: "pdf_template", "pdf_context" (a callable, called only for the PDF)}, or, for a section whose
#: records the viewer's role may not see, `hidden_section(key, title)`: the page says "not
#: visible to your role", never "no records".
DOSSIER_ORDER = [
    ("registry", _("Registry data")),
    ("surveys", _("Survey history")),
    ("union", _("Trade union")),
    ("collective_contracts", _("Collective contracts")),
    ("congresses", _("Workers' congress")),
    ("certification", _("Harmony certification")),
    ("contracts", _("Labour contracts")),
    ("disputes", _("Labour disputes")),
    ("inspections", _("Labour inspection")),
    # Union services and enterprise appeals (issue 19).
    ("hardship", _("Workers in difficulty")),
    ("legal_aid", _("Legal aid")),
    ("appeals", _("Enterprise appeals")),
    ("risk", _("Risk watch")),
]

#: The section each fact belongs to (by code, else by its module's label): a fact is shown on
#: the dossier only to a viewer who may see that section (the book's signing rate only to those
#: who may see the book). Facts of the registry itself have no entry and are always shown.
FACT_SECTIONS = {
    "contracts": "contracts",
    "unions.has_union": "union",
    "unions.members": "union",
    "unions.collective_contract": "collective_contracts",
    "unions.wage_agreement": "collective_contracts",
    "unions.congress_held": "congresses",
    "unions.congress_last": "congresses",
    "unions": "union",
    "certification": "certification",
    "mediation": "disputes",
    "inspection": "inspections",
    "risk": "risk",
}
#: The cache topics of the facts the dossier reads (apps.core.cache): any write of these modules
#: computes them again (they are aggregates over the enterprise's records, the system's view).
FACT_TOPICS = ("enterprises", "unions", "contracts", "certification", "mediation", "inspection")
#: The kind of the dossier's GeneratedDocument (owner: the enterprise; one per requesting user).
DOSSIER_PDF_KIND = "enterprise_dossier"


def hidden_section(key: str, title) -> dict:
    """The section of a module whose records the viewer's role may not see."""
    return {"key": key, "title": title, "hidden": True}


def fact_section(code: str) -> str | None:
    return FACT_SECTIONS.get(code) or FACT_SECTIONS.get(code.split(".", 1)[0])


def facts_on(enterprise, day) -> dict:
    """`apps.core.facts.collect_facts` on `day` (the system's view, aggregates), kept until a
    module's records change (`FACT_TOPICS`) or the registry's employee count does."""
    return cached_figures(
        f"enterprises:facts:{enterprise.pk}:{day:%Y%m%d}:{enterprise.employees}:{get_language()}",
        FACT_TOPICS,
        lambda: collect_facts(enterprise, day),
    )


def survey_comparison(principal, enterprise, latest, visible: set, today) -> dict:
    """The latest survey against the platform's records: the answers that disagree (the survey's
    marks, `survey_checks`: the records at the end of the survey's year, those the viewer may see
    on this dossier) and the two signing rates, each with what it counts."""
    facts = survey_facts(principal, enterprise, latest.year, today, registry=True, sections=visible)
    answers = {field: getattr(latest, field) for field in SURVEY_FACTS}
    marks = survey_disagreements(answers, facts)
    book = facts.get("contracts.signing_rate")
    return {
        "marks": marks,
        "survey_rate": latest.contract_signing_rate,
        "survey_year": latest.year,
        "book_visible": "contracts" in visible,
        "book_rate": book.value if book is not None else None,
        "book_display": book.display if book is not None else "",
        "book_link": book.link_for(principal.user) if book is not None else "",
        "employees": enterprise.employees,
        "rate_differs": "contract_signing_rate" in marks,
        "today": survey_as_of(latest.year, today),
    }


def registry_section(principal, enterprise) -> dict:
    band = size_band(enterprise.employees)
    return {
        "key": "registry",
        "title": _("Registry data"),
        "template": "enterprises/dossier_registry.html",
        "context": {"size_band": SizeBand(band).label if band else None},
    }


def survey_section(principal, enterprise, visible: set, today) -> dict:
    user = principal.user
    if user is None or not user.has_perm("enterprises.view_enterprisesurvey"):
        return hidden_section("surveys", _("Survey history"))
    surveys = list(surveys_of(principal, enterprise))
    latest = surveys[0] if surveys else None
    return {
        "key": "surveys",
        "title": _("Survey history"),
        "template": "enterprises/dossier_surveys.html",
        "wide": True,
        "context": {
            "surveys": surveys,
            "latest": latest,
            "comparison": survey_comparison(principal, enterprise, latest, visible, today)
            if latest
            else None,
            "can_record_survey": workflow.can_record_survey(principal, enterprise),
        },
    }


def dossier_sections(principal, enterprise, today=None) -> list[dict]:
    """Every dossier section in DOSSIER_ORDER, filled by the module that owns it. A module that is
    not installed (yet) leaves its section without a template ("no records yet")."""
    today = today or timezone.localdate()
    provided = {}
    for config in apps.get_app_configs():
        provider = getattr(config, "dossier_sections", None)
        if provider:
            for section in import_string(provider)(principal, enterprise):
                provided[section["key"]] = section
    visible = {key for key, section in provided.items() if not section.get("hidden")}
    provided["registry"] = registry_section(principal, enterprise)
    provided["surveys"] = survey_section(principal, enterprise, visible, today)
    sections = []
    for key, title in DOSSIER_ORDER:
        section = provided.pop(key, None) or {"key": key, "title": title, "template": None, "context": {}}
        sections.append(section)
    sections.extend(provided.values())
    return sections


def visible_sections_key(sections) -> str:
    """The sections a viewer sees, as one text (the dossier PDF is kept per viewer and per this)."""
    return ",".join(s["key"] for s in sections if not s.get("hidden"))


def render_section(section: dict, context: dict, request=None, *, pdf: bool = False) -> str:
    """One section's HTML: its template with its own context plus the page's (`enterprise`,
    `principal`, `perms`). For the PDF: its `pdf_template` with its `pdf_context()` if it has one,
    else its template; either way without links, forms or scripts (`pdf_html`)."""
    template = section.get("template")
    ctx = {**context, **section.get("context", {}), "pdf": pdf}
    if pdf and section.get("pdf_template"):
        template = section["pdf_template"]
        if callable(section.get("pdf_context")):
            ctx.update(section["pdf_context"]())
    if not template:
        return ""
    html = render_to_string(template, ctx, request=request)
    return pdf_html(html) if pdf else html


class _PdfHtml(HTMLParser):
    """Section HTML for the PDF: links become their text, action buttons (`a.btn`), forms,
    buttons, inputs and scripts go, and so do attributes other than class, colspan and rowspan."""

    DROP = {"form", "button", "script", "input", "select", "textarea", "template", "noscript"}
    VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "col", "area", "source"}
    KEEP = {"class", "colspan", "rowspan", "scope", "data-testid"}

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.stack: list[str] = []  # tags opened while dropping (to find the end)
        self.dropping = 0

    def _open(self, tag, attrs, *, closed=False):
        if self.dropping:
            if tag not in self.VOID and not closed:
                self.stack.append(tag)
                self.dropping += 1
            return
        classes = dict(attrs).get("class") or ""
        if tag in self.DROP or (tag == "a" and "btn" in classes.split()):
            if tag not in self.VOID and not closed:
                self.stack.append(tag)
                self.dropping = 1
            return
        if tag == "img":
            return
        name = "span" if tag == "a" else tag
        kept = "".join(f' {k}="{escape(v or "")}"' for k, v in attrs if k in self.KEEP)
        self.out.append(f"<{name}{kept}{' /' if closed else ''}>")

    def handle_starttag(self, tag, attrs):
        self._open(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._open(tag, attrs, closed=True)

    def handle_endtag(self, tag):
        if self.dropping:
            if self.stack and self.stack[-1] == tag:
                self.stack.pop()
                self.dropping -= 1
            return
        if tag in self.VOID:
            return
        self.out.append(f"</{'span' if tag == 'a' else tag}>")

    def handle_data(self, data):
        if not self.dropping:
            self.out.append(data)

    def handle_entityref(self, name):
        if not self.dropping:
            self.out.append(f"&{name};")

    def handle_charref(self, name):
        if not self.dropping:
            self.out.append(f"&#{name};")


def pdf_html(html: str) -> str:
    """`html` without links (their text stays), action buttons, forms and scripts (`_PdfHtml`)."""
    parser = _PdfHtml()
    parser.feed(html)
    parser.close()
    return "".join(parser.out)


def dossier_pdf_document(principal, enterprise, sections_key: str | None = None):
    """The newest dossier PDF the principal asked for of this enterprise (with exactly the
    sections `sections_key` when given), or None. Kept per requesting user: two viewers never
    share one, so a PDF never holds a section its reader may not see."""
    user = principal.user
    if user is None:
        return None
    qs = GeneratedDocument.objects.for_object(enterprise).filter(kind=DOSSIER_PDF_KIND, created_by=user)
    if sections_key is not None:
        qs = qs.filter(context__sections_key=sections_key)
    return qs.order_by("-created_at").first()


def dossier_pdf_state(principal, enterprise, sections_key: str | None = None) -> dict:
    """What the dossier page says of its PDF: {document, state, sections_key}
    (`documents.selectors.document_state`: none, pending, failed, ready)."""
    document = dossier_pdf_document(principal, enterprise, sections_key)
    return {"document": document, "state": document_state(document), "sections_key": sections_key or ""}


def home_cards(principal):
    cards = []
    if principal.user is None or not principal.user.has_perm("enterprises.view_enterprise"):
        return cards
    qs = Enterprise.objects.visible_to(principal)
    if principal.is_park_admin or principal.has_role("union_official"):
        url = reverse("enterprises:list")
        operating, needs_union = cached_figures(
            f"enterprises:home:{scope_key(principal)}",
            ["enterprises", "unions"],
            lambda: (
                qs.filter(status=Status.OPERATING).count(),
                qs.filter(status=Status.OPERATING).filter(NEEDS_UNION).count(),
            ),
        )
        cards.append(
            {
                "label": _("Operating enterprises"),
                "value": operating,
                "url": url + "?status=operating",
                "icon": "buildings",
                # The cockpit's figure of the same number: the home page shows one of the two.
                "figure": "enterprises.operating",
            }
        )
        cards.append(
            {
                "label": _("25+ union members, no union committee"),
                "value": needs_union,
                "url": url + "?status=operating&needs_union=true",
                "icon": "exclamation-triangle",
            }
        )
    else:
        own = qs.filter(organisation_id__in=principal.organisation_ids("enterprise_hr")).first()
        if own is not None:
            cards.append(
                {
                    "label": _("My enterprise: employees"),
                    "value": own.employees,
                    "url": reverse("enterprises:detail", args=[own.pk]),
                    "icon": "building",
                }
            )
    return cards


def search(principal, query) -> list[dict]:
    """The search across modules (`apps.core.search`): enterprises whose name contains the text,
    or whose unified social credit code is the text, among those the principal sees. The name is
    matched like the certification list's search (`LIKE` for text without case, so PostgreSQL
    estimates it from the name's statistics and walks the `(name, id)` index in order); the code
    exactly, through its unique index."""
    if not may(principal, "enterprises.view_enterprise"):
        return []
    kind = _("Enterprise")
    qs = Enterprise.objects.visible_to(principal).select_related("town")
    if query.credit_code:
        found = list(qs.filter(uscc=query.credit_code)[:PER_KIND])
    else:
        lookup = "contains" if query.text.upper() == query.text.lower() else "icontains"
        found = list(qs.filter(**{f"name__{lookup}": query.text}).order_by("name", "id")[: PER_KIND + 1])
    if not found and query.by_id:
        return []  # an ID number that is no enterprise's code: not worth a "nothing found" line
    entries = [
        hit(
            "enterprises",
            kind,
            e.name,
            f"{e.uscc} · {e.town.name} · {e.get_status_display()}",
            reverse("enterprises:detail", args=[e.pk]),
        )
        for e in found[:PER_KIND]
    ]
    entries.append(searched("enterprises", kind))
    if len(found) > PER_KIND:
        entries.append(
            more("enterprises", kind, reverse("enterprises:list") + "?" + urlencode({"search": query.text}))
        )
    return entries
