"""The lifecycle of a filed contract.

in_force ──terminate──▶ terminated
in_force ──expire (daily job, the end has passed)──▶ expired
in_force / expired ──renew (a following contract of the same worker is filed)──▶ renewed
"""

from django.utils.translation import gettext_lazy

from apps.core.workflow import Transition, Workflow

from .models import LabourContract

S = LabourContract.Status
FILE = "contracts.file_contract"

WORKFLOW = Workflow(
    "status",
    [
        Transition(
            "terminate",
            {S.IN_FORCE},
            S.TERMINATED,
            gettext_lazy("File the termination"),
            permission=FILE,
            scope="contracts:write",
            needs_reason=True,
        ),
        Transition("expire", {S.IN_FORCE}, S.EXPIRED, gettext_lazy("Expire"), permission="contracts.never"),
        Transition(
            "renew",
            {S.IN_FORCE, S.EXPIRED},
            S.RENEWED,
            gettext_lazy("Renew"),
            permission=FILE,
            scope="contracts:write",
        ),
    ],
)
