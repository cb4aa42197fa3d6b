"""The cockpit's figures: their codes, names, units and parts (below the models, which name the
codes a target may be kept for)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

PERCENT, COUNT, YUAN, DAYS = "percent", "count", "yuan", "days"
STOCK, FLOW = "stock", "flow"
HIGHER, LOWER = "higher", "lower"
#: The choices of the statistics API's fields (named enums of the generated clients).
UNIT_CHOICES = [PERCENT, COUNT, YUAN, DAYS]
KIND_CHOICES = [STOCK, FLOW]
BETTER_CHOICES = [HIGHER, LOWER]

#: 劳动争议调解仲裁法 第十四条: an agreement not reached within 15 days of acceptance, a party may
#: apply for arbitration — the law's own measure of how long mediation should take.
MEDIATION_DAYS_SOURCE = _("Labour Dispute Mediation and Arbitration Law, art. 14 (15 days)")
#: 劳动合同法 第十条、第八十二条: a written contract for every worker within one month.
SIGNING_SOURCE = _("Labour Contract Law, arts. 10 and 82 (a written contract for every worker)")


@dataclass(frozen=True)
class Definition:
    code: str
    label: str
    unit: str
    kind: str  # STOCK (as of a date) or FLOW (from `since` to `as_of`)
    better: str | None = None  # which way is good, for figures with a target
    #: The cache topics whose writes change this figure (apps.core.cache).
    part: str = ""


def _d(code, label, unit, kind, better=None, part=""):
    return Definition(code, label, unit, kind, better, part)


DEFINITIONS: tuple[Definition, ...] = (
    _d("enterprises.operating", _("Operating enterprises"), COUNT, STOCK, part="registry"),
    _d("enterprises.employees", _("Employees"), COUNT, STOCK, part="registry"),
    _d("unions.coverage", _("Union coverage"), PERCENT, STOCK, HIGHER, part="registry"),
    _d("unions.membership_rate", _("Union membership rate"), PERCENT, STOCK, HIGHER, part="surveys"),
    _d("certification.coverage", _("Certification coverage"), PERCENT, STOCK, HIGHER, part="certification"),
    _d("certification.level_a", _("Certified A"), COUNT, STOCK, part="certification"),
    _d("certification.level_aa", _("Certified AA"), COUNT, STOCK, part="certification"),
    _d("certification.level_aaa", _("Certified AAA"), COUNT, STOCK, part="certification"),
    _d("contracts.signing_rate", _("Labour contract signing rate"), PERCENT, STOCK, HIGHER, part="contracts"),
    _d("mediation.cases", _("Mediation cases received"), COUNT, FLOW, part="mediation"),
    _d("mediation.workers", _("Workers in mediation cases"), COUNT, FLOW, part="mediation"),
    _d("mediation.amount_agreed", _("Amount agreed in mediation"), YUAN, FLOW, part="mediation"),
    _d("mediation.success_rate", _("Mediation success rate"), PERCENT, FLOW, HIGHER, part="mediation"),
    _d("mediation.days_to_close", _("Average days to close a case"), DAYS, FLOW, LOWER, part="mediation"),
    _d("mediation.overdue", _("Overdue mediation cases"), COUNT, STOCK, LOWER, part="mediation"),
    _d("mediation.collective", _("Collective disputes"), COUNT, FLOW, part="mediation"),
    _d("inspection.cases", _("Inspection cases received"), COUNT, FLOW, part="inspection"),
    _d("inspection.arrears_recovered", _("Wage arrears recovered"), YUAN, FLOW, part="inspection"),
    _d("appeals.received", _("Enterprise appeals received"), COUNT, FLOW, part="appeals"),
    _d("appeals.answered", _("Enterprise appeals answered"), COUNT, FLOW, part="appeals"),
    _d("legalaid.requests", _("Legal-aid requests"), COUNT, FLOW, part="legalaid"),
    _d("assistance.aid_amount", _("Hardship aid paid"), YUAN, FLOW, part="assistance"),
    _d("risk.watch_list", _("Enterprises on the risk watch list"), COUNT, STOCK, LOWER, part="risk"),
)
BY_CODE = {d.code: d for d in DEFINITIONS}
FIGURE_ORDER = tuple(d.code for d in DEFINITIONS)

#: The cockpit's top row (issue 20 item 2).
HEADLINE = (
    "certification.coverage",
    "unions.coverage",
    "unions.membership_rate",
    "contracts.signing_rate",
    "mediation.success_rate",
    "mediation.days_to_close",
    "mediation.overdue",
    "mediation.collective",
    "inspection.arrears_recovered",
    "risk.watch_list",
)

#: The figures seed 000 says a park reports upward, in that order (the reports' first table).
REPORTED = (
    "enterprises.operating",
    "enterprises.employees",
    "unions.coverage",
    "unions.membership_rate",
    "certification.coverage",
    "certification.level_a",
    "certification.level_aa",
    "certification.level_aaa",
    "contracts.signing_rate",
    "mediation.cases",
    "mediation.workers",
    "mediation.amount_agreed",
    "mediation.success_rate",
    "mediation.collective",
    "inspection.arrears_recovered",
    "appeals.received",
    "appeals.answered",
    "legalaid.requests",
    "assistance.aid_amount",
    "risk.watch_list",
)

#: The targets the cockpit keeps itself ([POLICY], `models.Target`); certification coverage and the
#: union rates have theirs in their modules (the rule set, `unions.UnionTarget`).
OWN_TARGETS = (
    "contracts.signing_rate",
    "mediation.success_rate",
    "mediation.days_to_close",
    "mediation.overdue",
)
