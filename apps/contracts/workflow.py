"""The lifecycle of a filed contract, and every "may X?" of contract filing.

in_force ──terminate──▶ terminated
in_force ──expire (daily job, the end has passed)──▶ expired
in_force / expired ──renew (a following contract of the same worker is filed)──▶ renewed

Beside the table, the predicates that are not status changes: who may file contracts and import
the signing platform's exports, who sees workers' ID numbers in full, an enterprise's contract
book, the import jobs and the park's figures. The pages put the answers in their context (`can`);
templates only read them.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.roles import Role
from apps.core.errors import NotAllowed
from apps.core.workflow import Transition, Workflow

from .models import LabourContract
from .rules import RENEWAL_SOURCE

S = LabourContract.Status
VIEW = "contracts.view_labourcontract"
FILE = "contracts.file_contract"
IMPORT = "contracts.import_contracts"
VIEW_IMPORTS = "contracts.view_importjob"
VIEW_FIGURES = "contracts.view_contract_figures"
VIEW_FULL_ID = "contracts.view_full_id_number"
WRITE = "contracts:write"

WORKFLOW = Workflow(
    "status",
    [
        Transition(
            "terminate",
            {S.IN_FORCE},
            S.TERMINATED,
            gettext_lazy("File the termination"),
            permission=FILE,
            scope=WRITE,
            needs_reason=True,
            doc="Files the end of the contract: the day it ended (`terminated_on`: required, not in the "
            "future, not before the start; otherwise a 400 with `error.fields`) and the reason. The filing "
            "date is today; a filing later than the [POLICY] working days after the termination (7 unless "
            "the contract policy in effect says otherwise) shows as late in the enterprise's book.",
            source="[POLICY] the park's termination filing period; 劳动合同法第五十条 (the records are kept "
            "at least two years)",
        ),
        Transition(
            "expire",
            {S.IN_FORCE},
            S.EXPIRED,
            gettext_lazy("Expire"),
            permission="contracts.never",
            doc="The daily job expires the contracts in force whose end has passed (those renewed are "
            "already marked).",
        ),
        Transition(
            "renew",
            {S.IN_FORCE, S.EXPIRED},
            S.RENEWED,
            gettext_lazy("Renew"),
            permission=FILE,
            scope=WRITE,
            doc="Filing a following contract of the same worker at the same employer that starts the day "
            "after this one ends renews this one.",
            source=RENEWAL_SOURCE,
        ),
    ],
)


# Filing and importing -----------------------------------------------------------------------------


def filing_refusal(principal) -> str | None:
    """Why the principal may not file labour contracts, or None. Park administrators and the
    platform may; API clients need the `contracts:write` scope; users the
    `contracts.file_contract` permission (enterprise HR, for their own enterprise)."""
    if principal.is_system or principal.is_park_admin:
        return None
    if principal.is_api_client:
        return None if principal.has_scope(WRITE) else _("The API client needs the “contracts:write” scope.")
    if principal.user is None or not principal.user.has_perm(FILE):
        return _("Your role may not file labour contracts.")
    return None


def import_refusal(principal) -> str | None:
    """Why the principal may not import the signing platform's exports, or None: users need
    `contracts.import_contracts` (and may file), API clients may file."""
    if not principal.is_api_client and not principal.is_system:
        user = principal.user
        if user is None or not user.is_authenticated or not user.has_perm(IMPORT):
            return _("Your role may not import contracts from the signing platform.")
    return filing_refusal(principal)


def check_filing(principal) -> None:
    """NotAllowed unless the principal may file contracts."""
    reason = filing_refusal(principal)
    if reason:
        raise NotAllowed(reason)


def check_import(principal) -> None:
    """NotAllowed unless the principal may import the signing platform's exports."""
    reason = import_refusal(principal)
    if reason:
        raise NotAllowed(reason)


# Seeing ---------------------------------------------------------------------------------------------


def can_see_full_id(principal) -> bool:
    """API clients need `personal_data:read`; users the `contracts.view_full_id_number`
    permission (enterprise HR of their own workers, park administrators). Every full view is
    audited (`selectors.id_number_for`)."""
    if principal.is_api_client:
        return principal.has_scope("personal_data:read")
    return principal.user is not None and principal.user.has_perm(VIEW_FULL_ID)


def api_shows_personal_data(principal) -> bool:
    """`/api/v1/contracts/` shows workers' ID numbers in full (each view audited through
    `selectors.id_number_for`) and their phones only to API clients with `personal_data:read`;
    signed-in users see them masked there (their full view is the page's audited reveal)."""
    return principal.is_api_client and can_see_full_id(principal)


def can_see_book(principal, enterprise) -> bool:
    """The contracts section of an enterprise's dossier: users with the contracts permission who
    see the enterprise's contracts (park administrators, its HR)."""
    user = principal.user
    if principal.is_api_client or user is None or not user.has_perm(VIEW):
        return False
    return principal.sees_everything or enterprise.organisation_id in principal.organisation_ids(
        Role.ENTERPRISE_HR
    )


def can_see_imports(principal) -> bool:
    """The list of import jobs (each user sees their own, park administrators all)."""
    user = principal.user
    return user is not None and (user.has_perm(VIEW_IMPORTS) or user.has_perm(IMPORT))


# What a page offers -----------------------------------------------------------------------------------


def page_answers(principal, contract: LabourContract | None = None) -> dict[str, bool]:
    """What the contract pages offer the principal (the `can` of their context): file a
    contract, import a file, the imports' list, the park's figures, and on a contract page the
    termination (the table's answer: status, role)."""
    user = principal.user
    answers = {
        "file": filing_refusal(principal) is None,
        "import": import_refusal(principal) is None,
        "imports": user is not None and user.has_perm(VIEW_IMPORTS),
        "park_figures": user is not None and user.has_perm(VIEW_FIGURES),
    }
    if contract is not None:
        available = {t.action for t in WORKFLOW.available(contract, principal)}
        answers["terminate"] = "terminate" in available
    return answers


def termination_refusal(contract: LabourContract, principal) -> str | None:
    """Why the principal may not file the termination of the contract now (the table's reason:
    its status, or the role), or None."""
    error = WORKFLOW.refusal(contract, WORKFLOW.get("terminate"), principal)
    return str(error) if error is not None else None
