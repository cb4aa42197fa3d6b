"""Pages of the union module: unions and federations, the enterprises that must set up a union,
coverage figures, collective contracts with their filing and review, workers' congress meetings.
Reads go through selectors.py, writes through services.py; a service's refusal is shown as a
form error with its legal source (DomainError) or as 403 (NotAllowed)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.errors import DomainError, NotAllowed
from apps.core.exports import xlsx_response
from apps.core.forms import add_domain_error, call_service
from apps.core.pagination import paginate
from apps.core.personal_data import mask_id_number
from apps.core.scoping import principal_for_request
from apps.enterprises.rules import UNION_COMMITTEE_SOURCE, UNION_COMMITTEE_THRESHOLD
from apps.enterprises.selectors import get_enterprise

from . import rules, selectors, services, workflow
from .filters import PlatformWorkerFilter
from .forms import (
    CollectiveContractForm,
    CongressForm,
    FilingForm,
    JoinUnionForm,
    LeaveUnionForm,
    ObjectionForm,
    PlatformWorkerEditForm,
    PlatformWorkerForm,
    UnionForm,
)
from .models import CollectiveContract, PlatformWorker, Union
from .templatetags.unions_tags import STATE_BADGES

PAGE_SIZE = 50


def _enterprise_from_query(request, principal):
    """The enterprise of `?enterprise=<uuid>`, if the principal sees it (else 404)."""
    pk = request.GET.get("enterprise")
    return get_enterprise(principal, pk) if pk else None


# Unions ----------------------------------------------------------------------------------------------


@login_required
@permission_required("unions.view_union", raise_exception=True)
def union_list(request):
    principal = principal_for_request(request)
    qs = selectors.unions_visible_to(principal)
    kind = request.GET.get("kind", "")
    if kind in Union.Kind.values:
        qs = qs.filter(kind=kind)
    else:
        kind = ""
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(name__icontains=q)
    page = paginate(request, qs.order_by("kind", "name", "pk"), PAGE_SIZE)
    can_add = request.user.has_perm("unions.add_union") and workflow.may_create_union(principal)
    return render(
        request,
        "unions/union_list.html",
        {"page": page, "kinds": Union.Kind.choices, "kind": kind, "q": q, "can_add": can_add},
    )


@login_required
@permission_required("unions.view_union", raise_exception=True)
def union_detail(request, pk):
    principal = principal_for_request(request)
    union = selectors.get_union(principal, pk)
    enterprises = selectors.union_enterprises(principal, union).order_by("name")
    children = selectors.unions_visible_to(principal).filter(parent=union).order_by("kind", "name")
    contracts = list(selectors.contracts_visible_to(principal).filter(union=union)[:50])
    today = timezone.localdate()
    for contract in contracts:
        contract.state = selectors.contract_state(contract, today)
        contract.state_label = selectors.ContractState.LABELS[contract.state]
        contract.badge = STATE_BADGES[contract.state]
    return render(
        request,
        "unions/union_detail.html",
        {
            "union": union,
            "enterprises": enterprises,
            "children": children,
            "contracts": contracts,
            "can_edit": workflow.can_manage_union(principal, union),
        },
    )


@login_required
@permission_required("unions.add_union", raise_exception=True)
def union_create(request):
    principal = principal_for_request(request)
    if not workflow.may_create_union(principal):
        raise PermissionDenied
    form = UnionForm(request.POST or None, principal=principal)
    if request.method == "POST" and form.is_valid():
        union = call_service(form, services.create_union, principal, **form.service_kwargs())
        if union is not None:
            messages.success(request, _("The union is registered."))
            return redirect("unions:detail", pk=union.pk)
    return render(request, "unions/union_form.html", {"form": form, "union": None})


@login_required
@permission_required("unions.change_union", raise_exception=True)
def union_edit(request, pk):
    principal = principal_for_request(request)
    union = selectors.get_union(principal, pk)
    if not workflow.can_manage_union(principal, union):
        raise PermissionDenied
    form = UnionForm(request.POST or None, principal=principal, instance=union)
    if request.method == "POST" and form.is_valid():
        saved = call_service(form, services.update_union, principal, union, **form.service_kwargs())
        if saved is not None:
            messages.success(request, _("The union is saved."))
            return redirect("unions:detail", pk=union.pk)
    return render(request, "unions/union_form.html", {"form": form, "union": union})


@login_required
@permission_required("unions.view_union", raise_exception=True)
def needs_union(request):
    principal = principal_for_request(request)
    qs = selectors.needs_union(principal)
    page = paginate(request, qs, PAGE_SIZE)
    return render(
        request,
        "unions/needs_union.html",
        {"page": page, "threshold": UNION_COMMITTEE_THRESHOLD, "source": UNION_COMMITTEE_SOURCE},
    )


def _figures_year_and_town(request):
    """The year (this year and the four before) and the town (`?town=<uuid>`) of the figures page;
    anything else falls back to this year and all towns."""
    years = selectors.figures_years()
    try:
        year = int(request.GET.get("year", years[0]))
    except (TypeError, ValueError):
        year = years[0]
    if year not in years:
        year = years[0]
    towns = list(selectors.towns())
    town = next((t for t in towns if str(t.pk) == request.GET.get("town", "")), None)
    return years, year, towns, town


@login_required
@permission_required("unions.view_union_figures", raise_exception=True)
def figures(request):
    principal = principal_for_request(request)
    by_town = selectors.coverage_figures(principal, "town")
    by_industry = selectors.coverage_figures(principal, "industry")
    years, year, towns, town = _figures_year_and_town(request)
    chart = {
        "labels": [str(row["label"] or "—") for row in by_town["rows"]],
        "coverage": [
            float(row["coverage"]) if row["coverage"] is not None else None for row in by_town["rows"]
        ],
        "membership": [
            float(row["membership_rate"]) if row["membership_rate"] is not None else None
            for row in by_town["rows"]
        ],
        "target": float(by_town["target"].coverage) if by_town["target"] else None,
        "series": [_("Union coverage (%)"), _("Membership rate (%)")],
    }
    return render(
        request,
        "unions/figures.html",
        {
            "by_town": by_town,
            "by_industry": by_industry,
            "target": by_town["target"],
            "size_bands": selectors.size_bands(principal),
            "trend": selectors.survey_trend(principal),
            "chart": chart,
            "years": years,
            "year": year,
            "towns": towns,
            "town": town,
            # Every module's tables (the `union_figures` hook): the new forms of employment, the
            # hardship file and aid, legal aid, enterprise appeals.
            "module_tables": selectors.module_figures(principal, year, town),
        },
    )


# Collective contracts ------------------------------------------------------------------------------


@login_required
@permission_required("unions.view_collectivecontract", raise_exception=True)
def contract_list(request):
    principal = principal_for_request(request)
    qs = selectors.contracts_visible_to(principal)
    today = timezone.localdate()
    state = request.GET.get("state", "")
    if state in selectors.ContractState.LABELS:
        qs = qs.filter(selectors.state_q(state, today))
    else:
        state = ""
    # Contracts in force ending within so many days (the home page's worklist: 3 months, art. 40).
    ending = request.GET.get("ending_within", "").strip()
    if ending.isdigit() and int(ending) <= selectors.MAX_ENDING_WITHIN_DAYS:
        qs = qs.filter(selectors.ending_within_q(int(ending), today))
    else:
        ending = ""
    kind = request.GET.get("kind", "")
    if kind in CollectiveContract.Kind.values:
        qs = qs.filter(kind=kind)
    else:
        kind = ""
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(enterprise__name__icontains=q) | Q(title__icontains=q))
    page = paginate(request, qs.order_by("-signed_on", "title", "pk"), PAGE_SIZE)
    for contract in page:
        contract.state = selectors.contract_state(contract, today)
        contract.state_label = selectors.ContractState.LABELS[contract.state]
        contract.badge = STATE_BADGES[contract.state]
    can_add = request.user.has_perm("unions.add_collectivecontract")
    return render(
        request,
        "unions/contract_list.html",
        {
            "page": page,
            "states": selectors.ContractState.choices,
            "state": state,
            "ending_within": ending,
            "max_ending_within": selectors.MAX_ENDING_WITHIN_DAYS,
            "kinds": CollectiveContract.Kind.choices,
            "kind": kind,
            "q": q,
            "can_add": can_add,
        },
    )


def _contract_page(request, principal, contract, *, file_form=None, objection_form=None, status=200):
    today = timezone.localdate()
    facts = selectors.contract_facts(contract, today)
    actions = workflow.contract_actions(principal, contract)
    can_file, can_object = actions["file"], actions["object"]
    if can_file and file_form is None:
        file_form = FilingForm(initial={"filed_on": today})
    if can_object and objection_form is None:
        objection_form = ObjectionForm(initial={"objection_on": today})
    return render(
        request,
        "unions/contract_detail.html",
        {
            "contract": contract,
            "facts": facts,
            "badge": STATE_BADGES[facts["state"]],
            "can_edit": actions["edit"],
            "can_file": can_file,
            "can_object": can_object,
            "file_form": file_form if can_file else None,
            "objection_form": objection_form if can_object else None,
            "review_days": rules.REVIEW_DAYS,
            "filing_days": rules.FILING_DAYS,
        },
        status=status,
    )


@login_required
@permission_required("unions.view_collectivecontract", raise_exception=True)
def contract_detail(request, pk):
    principal = principal_for_request(request)
    contract = selectors.get_contract(principal, pk)
    return _contract_page(request, principal, contract)


@login_required
@permission_required("unions.add_collectivecontract", raise_exception=True)
def contract_create(request):
    principal = principal_for_request(request)
    enterprise = _enterprise_from_query(request, principal)
    if enterprise is not None and not workflow.can_write_contract(principal, enterprise):
        raise PermissionDenied
    initial = {"enterprise": enterprise.pk} if enterprise else {}
    form = CollectiveContractForm(request.POST or None, principal=principal, initial=initial)
    if request.method == "POST" and form.is_valid():
        contract = call_service(
            form,
            services.create_collective_contract,
            principal,
            form.cleaned_data["enterprise"],
            **form.service_kwargs(),
        )
        if contract is not None:
            messages.success(request, _("The collective contract is recorded. File it with the HR bureau."))
            return redirect("unions:contract_detail", pk=contract.pk)
    return render(
        request, "unions/contract_form.html", {"form": form, "contract": None, "enterprise": enterprise}
    )


@login_required
@permission_required("unions.change_collectivecontract", raise_exception=True)
def contract_edit(request, pk):
    principal = principal_for_request(request)
    contract = selectors.get_contract(principal, pk)
    if not workflow.can_write_contract(principal, contract.enterprise):
        raise PermissionDenied
    form = CollectiveContractForm(request.POST or None, principal=principal, instance=contract)
    if request.method == "POST" and form.is_valid():
        saved = call_service(
            form, services.update_collective_contract, principal, contract, **form.service_kwargs()
        )
        if saved is not None:
            messages.success(request, _("The collective contract is saved."))
            return redirect("unions:contract_detail", pk=contract.pk)
    locked = rules.is_filed(contract)
    return render(
        request,
        "unions/contract_form.html",
        {"form": form, "contract": contract, "enterprise": contract.enterprise, "locked": locked},
    )


def _review_action(request, pk, form_class, form_key, action, success):
    """File a contract or record an objection (the HR bureau). A refusal tied to a field goes
    back on the form; one due to the contract's state is a message on the contract page."""
    principal = principal_for_request(request)
    contract = selectors.get_contract(principal, pk)
    if not workflow.can_review_contract(principal):
        raise PermissionDenied
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(principal, contract, **form.cleaned_data)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except DomainError as exc:
            if not exc.fields:
                messages.error(request, str(exc))
                return redirect("unions:contract_detail", pk=contract.pk)
            add_domain_error(form, exc)
        else:
            messages.success(request, success)
            return redirect("unions:contract_detail", pk=contract.pk)
    contract = selectors.get_contract(principal, pk)
    return _contract_page(request, principal, contract, **{form_key: form})


@login_required
@require_POST
def contract_file(request, pk):
    return _review_action(
        request, pk, FilingForm, "file_form", services.file_collective_contract, _("The filing is recorded.")
    )


@login_required
@require_POST
def contract_objection(request, pk):
    def record(principal, contract, *, objection_on, objection_note):
        return services.record_objection(principal, contract, objection_on=objection_on, note=objection_note)

    return _review_action(
        request,
        pk,
        ObjectionForm,
        "objection_form",
        record,
        _("The objection is recorded; the contract does not take effect."),
    )


# Workers' congress ---------------------------------------------------------------------------------


@login_required
@permission_required("unions.add_workerscongress", raise_exception=True)
def congress_create(request):
    principal = principal_for_request(request)
    enterprise = _enterprise_from_query(request, principal)
    if enterprise is not None and not workflow.can_write_congress(principal, enterprise):
        raise PermissionDenied
    initial = {"enterprise": enterprise.pk} if enterprise else {}
    form = CongressForm(request.POST or None, principal=principal, initial=initial)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["enterprise"]
        congress = call_service(form, services.record_congress, principal, chosen, **form.service_kwargs())
        if congress is not None:
            if rules.congress_quorate(congress.representatives_total, congress.representatives_present):
                messages.success(request, _("The meeting is recorded."))
            else:
                messages.warning(
                    request,
                    _(
                        "The meeting is recorded, but fewer than two thirds of the representatives were "
                        "present: it was not quorate (%(source)s)."
                    )
                    % {"source": rules.CONGRESS_QUORUM_SOURCE},
                )
            return redirect(reverse("enterprises:detail", args=[chosen.pk]) + "#congresses")
    return render(request, "unions/congress_form.html", {"form": form, "enterprise": enterprise})


# New forms of employment (issue 19) ----------------------------------------------------------------


def _worker_filter(request, principal):
    return PlatformWorkerFilter(
        request.GET or None, queryset=selectors.platform_workers_visible_to(principal)
    )


@login_required
@permission_required("unions.view_platformworker", raise_exception=True)
def platform_worker_list(request):
    principal = principal_for_request(request)
    filterset = _worker_filter(request, principal)
    page = paginate(request, filterset.qs, PAGE_SIZE)
    for worker in page:
        worker.masked_id = mask_id_number(worker.id_number)
        worker.membership = selectors.current_membership(worker)
    return render(
        request,
        "unions/platform_worker_list.html",
        {
            "page": page,
            "filter": filterset,
            "platforms": selectors.platforms_visible_to(principal),
            "towns": selectors.towns(),
            "unions": selectors.unions_visible_to(principal).filter(kind__in=rules.JOINABLE_UNION_KINDS),
            "can_add": workflow.can_register_platform_workers(principal),
            "query": request.GET.urlencode(),
        },
    )


@login_required
@permission_required("unions.view_platformworker", raise_exception=True)
def platform_worker_export(request):
    """The filtered list as .xlsx, ID numbers masked."""
    principal = principal_for_request(request)
    qs = _worker_filter(request, principal).qs
    return xlsx_response("platform-workers.xlsx", [selectors.platform_workers_sheet(qs)])


@login_required
@permission_required("unions.add_platformworker", raise_exception=True)
def platform_worker_create(request):
    principal = principal_for_request(request)
    if not workflow.can_register_platform_workers(principal):
        raise PermissionDenied
    form = PlatformWorkerForm(request.POST or None, principal=principal)
    if request.method == "POST" and form.is_valid():
        worker = call_service(form, services.register_platform_worker, principal, **form.service_kwargs())
        if worker is not None:
            messages.success(request, _("The worker is registered."))
            return redirect("unions:platform_worker_detail", pk=worker.pk)
    return render(
        request,
        "unions/platform_worker_form.html",
        {
            "form": form,
            "rules": [
                (label, rules.relationship_rule(code)) for code, label in PlatformWorker.Relationship.choices
            ],
        },
    )


def _platform_worker_page(request, principal, worker, *, join_form=None, leave_form=None, status=200):
    membership = selectors.current_membership(worker)
    may_join = membership is None and workflow.can_register_platform_workers(principal)
    may_leave = membership is not None and workflow.can_enrol(principal, membership.union)
    if may_join and join_form is None:
        join_form = JoinUnionForm(principal=principal, initial={"joined_on": timezone.localdate()})
    if may_leave and leave_form is None:
        leave_form = LeaveUnionForm(initial={"left_on": timezone.localdate()})
    number, _full = selectors.platform_worker_id_number(principal, worker, detail=True)
    return render(
        request,
        "unions/platform_worker_detail.html",
        {
            "worker": worker,
            "id_number": number,
            "membership": membership,
            "history": selectors.platform_worker_history(principal, worker),
            "facts": selectors.platform_worker_facts(worker),
            "join_form": join_form if may_join else None,
            "leave_form": leave_form if may_leave else None,
            "may_edit": workflow.can_edit_platform_worker(principal, worker),
        },
        status=status,
    )


@login_required
@permission_required("unions.view_platformworker", raise_exception=True)
def platform_worker_detail(request, pk):
    principal = principal_for_request(request)
    worker = selectors.get_platform_worker(principal, pk)
    return _platform_worker_page(request, principal, worker)


@login_required
@permission_required("unions.change_platformworker", raise_exception=True)
def platform_worker_edit(request, pk):
    principal = principal_for_request(request)
    worker = selectors.get_platform_worker(principal, pk)
    if not workflow.can_edit_platform_worker(principal, worker):
        raise PermissionDenied
    form = PlatformWorkerEditForm(request.POST or None, worker=worker)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            done = call_service(
                form, services.update_platform_worker, principal, worker, **form.service_kwargs()
            )
            if done is not None:
                messages.success(request, _("The worker's details are corrected."))
                return redirect("unions:platform_worker_detail", pk=worker.pk)
        status = 400
    return render(
        request, "unions/platform_worker_edit.html", {"form": form, "worker": worker}, status=status
    )


@login_required
@require_POST
@permission_required("unions.change_platformworker", raise_exception=True)
def platform_worker_join(request, pk):
    principal = principal_for_request(request)
    worker = selectors.get_platform_worker(principal, pk)
    form = JoinUnionForm(request.POST, principal=principal)
    if form.is_valid():
        done = call_service(
            form,
            services.join_union,
            principal,
            worker,
            form.cleaned_data["union"],
            joined_on=form.cleaned_data["joined_on"],
        )
        if done is not None:
            messages.success(request, _("The worker has joined the union."))
            return redirect("unions:platform_worker_detail", pk=worker.pk)
    return _platform_worker_page(request, principal, worker, join_form=form, status=400)


@login_required
@require_POST
@permission_required("unions.change_platformworker", raise_exception=True)
def platform_worker_leave(request, pk):
    principal = principal_for_request(request)
    worker = selectors.get_platform_worker(principal, pk)
    form = LeaveUnionForm(request.POST)
    if form.is_valid():
        done = call_service(form, services.leave_union, principal, worker, **form.cleaned_data)
        if done is not None:
            messages.success(request, _("The worker's membership has ended."))
            return redirect("unions:platform_worker_detail", pk=worker.pk)
    return _platform_worker_page(request, principal, worker, leave_form=form, status=400)
