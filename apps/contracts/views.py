"""Pages of the contract library: the list with its filters (park totals for administrators), the
filing of one contract, the contract page (masked ID number, full view on request and audited,
flags with their articles, the e-signature evidence and its verification, the history), the
filing of a termination, and the book per enterprise (一户一册): the list behind each figure and
its exports (.xlsx in the request; the PDF, every row, rendered by Celery: a button queues it,
the pages show it pending, then offer the download; ID numbers masked).

Reads go through selectors.py, writes through services.py. A refusal of the principal
(NotAllowed) is a 403; any other refusal (DomainError, InvalidTransition) is shown on the form with
its legal source, never a 500. A contract or an enterprise out of the principal's scope is a 404.
The imports are in views_import.py."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.errors import DomainError, NotAllowed
from apps.core.exports import Sheet, xlsx_response
from apps.core.forms import call_button, call_service
from apps.core.pagination import InvalidCursor, KeysetPaginator, paginate
from apps.core.personal_data import search_token
from apps.core.scoping import principal_for_request
from apps.documents.selectors import document_state
from apps.documents.views import pdf_response
from apps.enterprises.selectors import get_enterprise

from . import rules, selectors, services, workflow
from .forms import ContractForm, TerminateForm
from .models import LabourContract

PAGE_SIZE = 25
VIEW = "contracts.view_labourcontract"
FILE = "contracts.file_contract"
S = LabourContract.Status

STATUS_BADGES = {
    S.IN_FORCE: "success",
    S.EXPIRED: "secondary",
    S.TERMINATED: "dark",
    S.RENEWED: "info",
}


def _decorate(contract, principal):
    """What a row of a list shows: the masked ID number, the flags' badges, the status badge."""
    contract.masked_id = selectors.id_number_for(principal, contract)
    contract.flag_badges = selectors.flag_badges(contract)
    contract.badge = STATUS_BADGES.get(contract.status, "secondary")
    return contract


# The list ---------------------------------------------------------------------------------------------


#: The library's order: newest contracts first (an index serves it park-wide, per enterprise
#: and per status, so every page of a million contracts is a short index walk).
LIBRARY_ORDER = ["-start", "-created_at", "-id"]


@login_required
@permission_required(VIEW, raise_exception=True)
def contract_list(request):
    principal = principal_for_request(request)
    park = principal.sees_everything
    filterset, qs = selectors.contract_list(principal, request.GET, request=request)
    for field in filterset.form:
        field.help_text = ""  # the API's descriptions; the page words its hints itself
    try:
        page = KeysetPaginator(qs, LIBRARY_ORDER, PAGE_SIZE).page(
            after=request.GET.get("after") or None, before=request.GET.get("before") or None
        )
    except InvalidCursor:
        page = KeysetPaginator(qs, LIBRARY_ORDER, PAGE_SIZE).page()
    for contract in page:
        _decorate(contract, principal)
    return render(
        request,
        "contracts/contract_list.html",
        {
            "filter": filterset,
            "page": page,
            "id_search_error": request.session.pop("id_search_error", ""),
            "show_enterprise_filter": park,
            "totals": selectors.park_totals(principal) if park else None,
            "can": workflow.page_answers(principal),
        },
    )


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def find_by_id(request):
    """The list's search by ID number: the number comes by POST and the list is shown through a
    short-lived token that carries only its keyed hash (`personal_data.search_token`), so the
    number never lands in an address, a browser's history or an access log."""
    try:
        token = search_token(request.POST.get("id_number", ""))
    except ValidationError as exc:
        request.session["id_search_error"] = " ".join(exc.messages)
        return redirect("contracts:list")
    return redirect(reverse("contracts:list") + "?" + urlencode({"id_token": token}))


# Filing ------------------------------------------------------------------------------------------------


def _flag_message(details) -> str:
    lines = [f"{d['label']}: {d['message']} ({d['source']})" for d in details]
    return _("Filed with flags: %(flags)s") % {"flags": " · ".join(lines)}


@login_required
@permission_required(FILE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def contract_create(request):
    principal = principal_for_request(request)
    try:
        enterprises = selectors.filing_enterprises(principal)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    fixed = None
    if not principal.sees_everything:
        own = list(enterprises[:2])
        if not own:
            raise PermissionDenied(_("Your account is not the HR of an enterprise in the registry."))
        fixed = own[0] if len(own) == 1 else None
    posted = request.method == "POST"
    form = ContractForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        enterprises=enterprises,
        fixed_enterprise=fixed,
    )
    if posted and form.is_valid():
        try:
            contract, outcome = services.file_one(principal, form.row(), file_bytes=form.file_bytes())
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except DomainError as exc:
            form.add_service_errors(exc)
        else:
            details = selectors.flag_details(contract)
            if details:
                messages.warning(request, _flag_message(details))
            elif outcome.status == services.filing.UPDATED:
                messages.success(
                    request,
                    _("The contract was already filed with other terms: it is corrected (%(fields)s).")
                    % {
                        "fields": "、".join(
                            str(getattr(form.fields.get(n), "label", n)) for n in outcome.changed
                        )
                    },
                )
            elif outcome.status != services.filing.CREATED:
                messages.info(request, _("The contract was already filed with these terms: nothing changed."))
            else:
                messages.success(request, _("The contract is filed."))
            return redirect("contracts:detail", pk=contract.pk)
    return render(
        request,
        "contracts/contract_form.html",
        {"form": form, "fixed_enterprise": fixed, "can": workflow.page_answers(principal)},
    )


# One contract --------------------------------------------------------------------------------------------


def _history(contract) -> list:
    actions = selectors.action_labels()
    statuses = dict(S.choices)
    rows = []
    for entry in selectors.history_of(contract):
        entry.action_label = actions.get(entry.action, entry.action)
        entry.from_label = statuses.get(entry.from_status, entry.from_status)
        entry.to_label = statuses.get(entry.to_status, entry.to_status)
        rows.append(entry)
    return rows


@login_required
@permission_required(VIEW, raise_exception=True)
def contract_detail(request, pk):
    principal = principal_for_request(request)
    contract = selectors.get_contract(principal, pk)
    may_see_full = workflow.can_see_full_id(principal)
    full = request.GET.get("full") == "1" and may_see_full
    signature = getattr(contract, "esignature", None)
    filing = selectors.termination_filing(contract)
    return render(
        request,
        "contracts/contract_detail.html",
        {
            "contract": contract,
            "badge": STATUS_BADGES.get(contract.status, "secondary"),
            "id_number": selectors.id_number_for(principal, contract, full=full),
            "full": full,
            "may_see_full": may_see_full,
            "flags": selectors.flag_details(contract),
            "notes": selectors.info_notes(contract),
            "signature": signature,
            "history": _history(contract),
            "termination_due": filing.due,
            "termination_late": filing.late,
            "can": workflow.page_answers(principal, contract),
        },
    )


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def contract_verify(request, pk):
    """Re-hash the stored signed file; a mismatch is shown (and kept) as tampering."""
    principal = principal_for_request(request)
    contract = selectors.get_contract(principal, pk)
    if getattr(contract, "esignature", None) is None:
        messages.error(request, _("This contract was not e-signed: there is no signed file to verify."))
        return redirect("contracts:detail", pk=contract.pk)
    ok, intact = call_button(request, services.verify_signed_file, principal, contract)
    if ok:
        if intact:
            messages.success(request, _("The signed file is intact: its SHA-256 matches the one filed."))
        else:
            messages.error(
                request,
                _("TAMPERED: the stored signed file no longer matches the SHA-256 filed with the contract."),
            )
    return redirect(reverse("contracts:detail", args=[contract.pk]) + "#esignature")


@login_required
@permission_required(VIEW, raise_exception=True)
def signed_file(request, pk):
    """The signed file, to those who see the contract; the download is audited."""
    principal = principal_for_request(request)
    contract = selectors.get_contract(principal, pk)
    handle = selectors.open_signed_file(principal, contract)
    if handle is None:
        raise Http404
    name = contract.reference or str(contract.pk)
    response = FileResponse(
        handle, content_type="application/pdf", as_attachment=True, filename=f"{name}.pdf"
    )
    response["X-Content-SHA256"] = contract.esignature.sha256
    return response


@login_required
@permission_required(FILE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def contract_terminate(request, pk):
    """File the termination: its date and reason (the filing date is today; a filing later than
    the policy's working days is shown as late). Where the table refuses it (the contract's
    status), the page says why instead of showing the form."""
    principal = principal_for_request(request)
    contract = selectors.get_contract(principal, pk)
    posted = request.method == "POST"
    form = TerminateForm(request.POST if posted else None, initial={"terminated_on": timezone.localdate()})
    if posted and form.is_valid():
        done = call_service(form, services.terminate, principal, contract, **form.service_kwargs())
        if done is not None:
            filing = selectors.termination_filing(done)
            if filing.late:
                messages.warning(
                    request,
                    _("The termination is filed, late: it was due by %(date)s.")
                    % {"date": filing.due.isoformat()},
                )
            else:
                messages.success(request, _("The termination is filed."))
            return redirect("contracts:detail", pk=contract.pk)
    return render(
        request,
        "contracts/terminate.html",
        {
            "contract": contract,
            "form": form,
            "refusal": workflow.termination_refusal(contract, principal),
            "filing_days": rules.termination_filing_days(selectors.policy_in_force()),
        },
    )


# The book per enterprise (一户一册) ---------------------------------------------------------------------------


def _book_enterprise(request, enterprise_pk):
    principal = principal_for_request(request)
    enterprise = get_enterprise(principal, enterprise_pk)
    if not workflow.can_see_book(principal, enterprise):
        raise Http404
    return principal, enterprise


@login_required
@permission_required(VIEW, raise_exception=True)
def book_list(request, enterprise_pk, key):
    if key not in selectors.BOOK_LISTS:
        raise Http404
    principal, enterprise = _book_enterprise(request, enterprise_pk)
    today = timezone.localdate()
    qs = (
        selectors.book_list(
            LabourContract.objects.visible_to(principal).filter(enterprise=enterprise), key, today
        )
        .select_related("enterprise", "worker", "esignature")
        .order_by("end", "worker__name", "pk")
    )
    page = paginate(request, qs, PAGE_SIZE)
    book = selectors.contract_book(principal, enterprise, today)
    policies = selectors.policies()
    for contract in page:
        _decorate(contract, principal)
        if key == "late_terminations":
            contract.filing_due = selectors.termination_filing(contract, policies).due
    return render(
        request,
        "contracts/book_list.html",
        {
            "enterprise": enterprise,
            "key": key,
            "title": selectors.BOOK_LABELS[key],
            "page": page,
            "book": book,
            "figures": selectors.book_figures(book),
            "book_pdf": selectors.book_pdf_state(enterprise),
        },
    )


def _export_name(enterprise, ext: str) -> str:
    return f"contract-book-{enterprise.uscc}-{timezone.localdate():%Y%m%d}.{ext}"


#: The columns of a list in the exports: (key of selectors._export_row, header); the PDF's too.
EXPORT_COLUMNS = services.EXPORT_COLUMNS
#: Widths of the lists' columns (characters); the others 14.
EXPORT_WIDTHS = {"name": 12, "id_number": 22, "flags": 40}


def _book_sheets(export: dict) -> list[Sheet]:
    """The book as sheets: its figures, then one sheet per list (every value written as data,
    never as a formula: `apps.core.exports`)."""
    book = export["book"]
    figures = [
        ("企业", book["enterprise"].name),
        ("统一社会信用代码", book["enterprise"].uscc),
        ("统计日期", export["today"]),
        ("职工人数", book["employees"]),
        ("劳动合同签订率（%）", book["signing_rate"]),
        ("电子合同占比（%）", book["e_share"]),
        *((str(figure["label"]), figure["value"]) for figure in export["figures"]),
    ]
    sheets = [Sheet("指标", rows=figures, widths={0: 36, 1: 40}, freeze="", bold_first_column=True)]
    for item in export["lists"]:
        sheets.append(
            Sheet(
                str(item["label"]),
                header=[header for _key, header in EXPORT_COLUMNS],
                rows=([row[key] for key, _header in EXPORT_COLUMNS] for row in item["rows"]),
                widths={i: EXPORT_WIDTHS.get(key, 14) for i, (key, _header) in enumerate(EXPORT_COLUMNS)},
            )
        )
    return sheets


@login_required
@permission_required(VIEW, raise_exception=True)
def book_xlsx(request, enterprise_pk):
    principal, enterprise = _book_enterprise(request, enterprise_pk)
    export = selectors.book_export(principal, enterprise, fmt="xlsx")
    return xlsx_response(_export_name(enterprise, "xlsx"), _book_sheets(export))


@login_required
@permission_required(VIEW, raise_exception=True)
def book_pdf(request, enterprise_pk):
    """The book's newest PDF, once Celery has rendered it (404 before: the pages offer to generate
    it). Every row of every list; the download is audited."""
    _principal, enterprise = _book_enterprise(request, enterprise_pk)
    document = selectors.book_document(enterprise)
    if document_state(document) != "ready":
        raise Http404
    selectors.record_book_download(enterprise, document)
    return pdf_response(document, inline=request.GET.get("inline") == "1")


def _back(request, enterprise) -> str:
    """Where a generate button returns: the page it was on (same host), else the dossier."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("enterprises:detail", args=[enterprise.pk]) + "#contracts"


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def book_pdf_generate(request, enterprise_pk):
    """Queue the book as a PDF (Celery, `services.request_book_pdf`); the page shows it pending,
    then ready to download."""
    principal, enterprise = _book_enterprise(request, enterprise_pk)
    try:
        services.request_book_pdf(principal, enterprise)
    except NotAllowed as exc:
        raise Http404 from exc
    messages.success(request, _("The book's PDF is being generated: it is listed here when ready."))
    return redirect(_back(request, enterprise))
