"""Law about enterprises as the registry holds them: pure constants and predicates (as Q
objects over the registry's tables), each with its source."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import Status

#: Trade Union Law (工会法) art. 11: 企业、事业单位、社会组织，有会员二十五人以上的，应当建立基层工会委员会.
UNION_COMMITTEE_THRESHOLD = 25
UNION_COMMITTEE_SOURCE = _("Trade Union Law art. 11")

#: Covered by an active grassroots union (its own or a joint union) in the union registry.
HAS_UNION = Q(union_coverage__union__is_active=True)
#: Has its own active enterprise union committee.
HAS_OWN_UNION = Q(union_coverage__union__is_active=True, union_coverage__union__kind="enterprise")
#: An operating enterprise with 25 or more union members (latest survey) and no union committee of
#: its own: it must set one up.
NEEDS_UNION = (
    Q(status=Status.OPERATING)
    & Q(latest_survey__union_members__gte=UNION_COMMITTEE_THRESHOLD)
    & ~HAS_OWN_UNION
)
