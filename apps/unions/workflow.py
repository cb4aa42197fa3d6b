"""Who may do what in the union module: every "may X?" of unions, collective contracts and
workers' congresses. Services refuse with these, and pages show buttons from the same answers.

Unions and their documents have no status lifecycle of their own (a collective contract's state
is derived from its dates: `selectors.contract_facts`); what changes with the actor is decided here.
"""

from __future__ import annotations

from apps.accounts.roles import Role
from apps.enterprises.models import Enterprise

from . import rules
from .models import CollectiveContract, Union, UnionCoverage


def _user_can(principal, perm: str, scope: str) -> bool:
    if principal.is_api_client:
        return principal.has_scope(scope)
    return bool(principal.user and principal.user.has_perm(perm))


def _own_union_ids(principal) -> set:
    """Unions where the principal is a union official, and the unions below those."""
    orgs = principal.organisation_ids(Role.UNION_OFFICIAL)
    if not orgs:
        return set()

    def compute() -> frozenset:
        own = set(Union.objects.filter(organisation_id__in=orgs).values_list("pk", flat=True))
        return frozenset(own | set(Union.objects.filter(parent_id__in=own).values_list("pk", flat=True)))

    return principal.remembered("unions.own_union_ids", compute)


def can_manage_union(principal, union: Union | None, parent: Union | None = None) -> bool:
    """Park administrators and district systems with `unions:write`: any union. Union officials:
    their own union and the unions of their federation (new ones included)."""
    if not _user_can(principal, "unions.change_union" if union else "unions.add_union", "unions:write"):
        return False
    if principal.is_api_client or principal.is_park_admin:
        return True
    own = _own_union_ids(principal)
    if union is not None and union.pk in own:
        return True
    return parent is not None and parent.pk in own


def _party_ids(principal, enterprise: Enterprise) -> bool:
    """Enterprise HR of the enterprise, or a union official of its union or federation."""
    if enterprise.organisation_id in principal.organisation_ids(Role.ENTERPRISE_HR):
        return True
    own = _own_union_ids(principal)
    return UnionCoverage.objects.filter(enterprise=enterprise, union_id__in=own).exists()


def can_write_contract(principal, enterprise: Enterprise) -> bool:
    if not _user_can(principal, "unions.add_collectivecontract", "unions:write"):
        return False
    return principal.is_api_client or principal.is_park_admin or _party_ids(principal, enterprise)


def contract_actions(principal, contract: CollectiveContract) -> dict:
    """What the principal may do with the contract now (pages show these buttons; the actions
    below refuse the same cases)."""
    review = can_review_contract(principal)
    return {
        "edit": not rules.is_filed(contract) and can_write_contract(principal, contract.enterprise),
        "file": review and not rules.is_filed(contract),
        "object": review and rules.is_filed(contract),
    }


def can_review_contract(principal) -> bool:
    """Filing and objections are acts of the HR bureau (集体合同规定 arts. 42, 47)."""
    return _user_can(principal, "unions.review_collectivecontract", "unions:write")


def can_write_congress(principal, enterprise: Enterprise) -> bool:
    if not _user_can(principal, "unions.add_workerscongress", "unions:write"):
        return False
    return principal.is_api_client or principal.is_park_admin or _party_ids(principal, enterprise)


def manageable_federations(principal) -> list[Union]:
    """Active federations the principal sees and under which they may register a new union."""
    federations = Union.objects.visible_to(principal).filter(kind=Union.Kind.FEDERATION, is_active=True)
    return [f for f in federations if can_manage_union(principal, None, f)]


def may_create_union(principal) -> bool:
    return can_manage_union(principal, None, None) or bool(manageable_federations(principal))


# New forms of employment (issue 19) ----------------------------------------------------------------


def can_register_platform_workers(principal) -> bool:
    """Register or correct platform workers: park administrators, union officials (for their own
    union and the unions of their federation: `can_enrol`), district systems with `unions:write`.
    Enterprise HR never (a platform company does not keep the union's member list). The system
    principal (commands, jobs) passes (ADR 0012)."""
    if principal.is_system:
        return True
    if not _user_can(principal, "unions.add_platformworker", "unions:write"):
        return False
    return principal.is_api_client or principal.is_park_admin or bool(_own_union_ids(principal))


def can_enrol(principal, union: Union) -> bool:
    """Enrol a platform worker into `union`, or record that they left it: park administrators and
    district systems any union; union officials their own union and the unions below it; the
    system principal passes (ADR 0012)."""
    if principal.is_system:
        return True
    if not _user_can(principal, "unions.change_platformworker", "unions:write"):
        return False
    if principal.is_api_client or principal.is_park_admin:
        return True
    return union.pk in _own_union_ids(principal)


def can_edit_platform_worker(principal, worker) -> bool:
    """Correct a registered platform worker: as registering (`can_register_platform_workers`), for
    a worker the principal's union registered (a federation's officials: also those its unions
    registered); park administrators and district systems any worker; the system passes."""
    if principal.is_system:
        return True
    if not can_register_platform_workers(principal):
        return False
    if not _user_can(principal, "unions.change_platformworker", "unions:write"):
        return False
    if principal.is_api_client or principal.is_park_admin:
        return True
    return worker.registered_by_id is not None and worker.registered_by_id in _own_union_ids(principal)


def enrolling_unions(principal):
    """Active unions the principal may enrol platform workers into (joinable kinds only): the
    choices of the registration and joining forms."""
    qs = Union.objects.visible_to(principal).filter(kind__in=rules.JOINABLE_UNION_KINDS, is_active=True)
    if principal.is_api_client or principal.is_park_admin:  # the system principal included
        return qs.order_by("kind", "name")
    return qs.filter(pk__in=_own_union_ids(principal)).order_by("kind", "name")
