"""The worklist's tests build their records with the modules' own fixtures."""

from tests.appeals.conftest import department, file  # noqa: F401
from tests.contracts.conftest import policy  # noqa: F401
from tests.mediation.conftest import make_case, med_org, med_org_b, mediator_b_user, mediator_user  # noqa: F401
