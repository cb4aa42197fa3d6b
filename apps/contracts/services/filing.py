"""Filing contracts: `file_batch`, the one write path of every channel (the page files a batch of
one, the API up to 1,000 rows, an import job chunks of 1,000), and `file_contract` (one row, its
refusals raised).

A batch runs in named steps, in one transaction:

1. parse the rows (`importing.parse_row`): format errors are reported per row and column;
2. read what the batch needs in a few queries, whatever its size (`_read_known`): the
   enterprises the principal may file for, the workers by the keyed hash of their ID number,
   their other contracts at those enterprises, the platform records already filed, the policy;
3. file each row (`_file_row`): its enterprise, or a contract it repeats (`_resent`: the same
   platform record, or for a paper contract `_paper_match`), the checks of the law with the
   worker's other contracts, including those earlier in the batch (`_findings`), and of the
   signed file (`_refused`), its worker (`_worker_for`), the contracts it renews (`_follow` /
   `_renewed_by`: one rule, `rules.renews`, for the database and the batch);
4. insert the workers, contracts, history and e-signatures in bulk (`_insert`: COPY on
   PostgreSQL, bulk_create elsewhere, `_write`), one audit event per contract (`_audit`), and
   renew the contracts filed before that the batch follows (`_renew`, through the workflow);
5. apply the corrections (`_correct`): one UPDATE for the batch, a history entry and an audit
   event (before and after) per contract.

Every row gets an outcome (`RowOutcome`, issue 15), by its position in the rows sent: `created`,
`updated` (a correction: the columns it changed), `unchanged` (a platform record sent again as it
is), `duplicate` (a paper contract sent again as it is), `not_applied` (a repeat that may not
correct what is filed, with its reason code: `contract_terminated`, `worker_mismatch`, …) or
`error` (refused: `errors`, each with its code). A repeat is never `unchanged` when its values
differ: it is corrected or not applied (`rules.CORRECTABLE_COLUMNS`, `CORRECTION_EVIDENCE`,
`CORRECTABLE_STATUSES`).

The queries of a batch do not grow with its rows (one per look-up, one COPY per table, one audit
insert), except one `transition` per contract filed before that the batch renews. The model
instances are built positionally (`_Table.build`: Django's fast path, no keyword parsing) and
written as they are; a worker's ID number is encrypted only when the worker is new.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.audit.history import transition
from apps.core import bulk, personal_data
from apps.core.cache import figures_changed
from apps.core.errors import DomainError, InvalidTransition
from apps.core.principal import SYSTEM

from .. import importing, rules, selectors
from ..models import ContractHistory, ESignature, LabourContract, Worker
from ..workflow import WORKFLOW

S = LabourContract.Status
#: The states a contract is renewed from (the workflow's "renew").
RENEWABLE = WORKFLOW.get("renew").sources


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    reason: str
    #: Machine-readable (issue 15): a format error's (`importing.Problem`), a rule's
    #: (`rules.Finding.code`) or the filing's own (`unknown_enterprise`, `worker_mismatch`, …).
    code: str = "invalid"

    def as_dict(self) -> dict:
        """The import report's entry (its stored format)."""
        return {"row": self.row, "field": self.field, "reason": self.reason}

    def as_api(self) -> dict:
        """A batch answer's entry: the report's, with the code."""
        return {**self.as_dict(), "code": self.code}


#: What became of a row (`RowOutcome.status`; the API's `results[].status`).
CREATED, UPDATED, UNCHANGED, DUPLICATE, NOT_APPLIED, ERROR = (
    "created",
    "updated",
    "unchanged",
    "duplicate",
    "not_applied",
    "error",
)
ROW_STATUSES = (CREATED, UPDATED, UNCHANGED, DUPLICATE, NOT_APPLIED, ERROR)


@dataclass
class RowOutcome:
    status: str
    #: The contract the row filed, corrected or repeats (None for an error or another
    #: enterprise's record).
    contract_id: object = None
    #: Why a row was not applied (`contract_terminated`, `worker_mismatch`, …).
    code: str = ""
    #: The columns a correction changed.
    changed: tuple = ()


@dataclass
class BatchResult:
    created: list = field(default_factory=list)
    #: Rows already filed and left as they are: platform records (`unchanged`) and paper
    #: contracts (`duplicate`) sent again as they are.
    unchanged: int = 0
    #: The contracts that paper rows repeated (counted in `unchanged`; only their
    #: `selectors.PRIOR_FIELDS` loaded).
    already_filed: list = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    #: The contracts corrected by rows that repeat them with other values.
    updated: list = field(default_factory=list)
    #: Each row's outcome, by its 0-based position in the rows sent.
    outcomes: dict = field(default_factory=dict)
    #: The number of the first row (`file_batch`'s `first_row`): outcomes are kept by position.
    first_row: int = 1

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})

    def outcome(self, number: int, status: str, contract_id=None, *, code: str = "", changed=()) -> None:
        self.outcomes[number - self.first_row] = RowOutcome(status, contract_id, code, tuple(changed))

    def refuse(self, number: int, errors: list[RowError], *, code: str = "", contract_id=None) -> None:
        """Report the row's errors: refused (`error`), or with a `code`, not applied."""
        self.errors.extend(errors)
        self.outcome(number, NOT_APPLIED if code else ERROR, contract_id, code=code)

    def counts(self) -> dict[str, int]:
        """Rows per status (every status named)."""
        out = dict.fromkeys(ROW_STATUSES, 0)
        for outcome in self.outcomes.values():
            out[outcome.status] += 1
        return out


def acting_user(principal):
    """The signed-in user acting, or None (an API client, the system)."""
    user = principal.user
    return user if user is not None and user.is_authenticated else None


@dataclass
class _Known:
    """What a batch reads before checking its rows."""

    #: Credit code → an enterprise the principal may file for.
    enterprises: dict
    #: ID number → its keyed hash (computed once per number).
    hash_of: dict
    #: Keyed hash → a worker already filed (only the key loaded).
    workers: dict
    #: (platform, record id) already filed → its contract (`selectors.RECORD_FIELDS`).
    filed: dict
    #: (worker id, enterprise id) → the worker's contracts there.
    priors: dict
    #: The policy rows, newest first, and their wages (`rules.wage_policy`, once per batch) by pk.
    policies: list
    wages: dict


@dataclass
class _Plan:
    """What a batch writes."""

    source: str
    principal: object
    files: dict | None
    #: Who files: the user (or None) and the label the history shows.
    user: object = None
    label: str = ""
    new_workers: dict = field(default_factory=dict)
    contracts: list = field(default_factory=list)
    #: (contract, row, the signed file's bytes or None)
    signatures: list = field(default_factory=list)
    #: Contracts filed before that rows of the batch renew, by pk.
    renewed: dict = field(default_factory=dict)
    #: (keyed hash, enterprise id) → the batch's own contracts and their terms as priors.
    batch_contracts: dict = field(default_factory=lambda: defaultdict(list))
    batch_priors: dict = field(default_factory=lambda: defaultdict(list))
    #: (platform, record id) of the batch's e-signed rows → (the row, the contract's id).
    records: dict = field(default_factory=dict)
    #: The corrections (`_Correction`), by the contract's id.
    corrections: dict = field(default_factory=dict)


@dataclass
class _Correction:
    number: int
    row: dict
    #: The contract as filed (its correctable fields, status and version loaded).
    contract: LabourContract
    #: Field → the corrected value; the columns changed; the flags with the corrected terms.
    values: dict
    changed: tuple
    flags: list


def file_batch(
    principal,
    rows: list[dict],
    *,
    source: str = LabourContract.Source.PAGE,
    files: dict[str, bytes] | None = None,
    first_row: int = 1,
) -> BatchResult:
    """Check and file a batch of rows in one transaction. Rows with a refusal are reported
    (row number, field, reason with its source) and skipped; the others are written. A row whose
    (platform, record id) is already filed is left as it is (idempotent re-import). `files` maps
    a row's `file_name` to the signed file's bytes, whose SHA-256 must match the row's."""
    allowed = selectors.filing_enterprises(principal)
    result = BatchResult(first_row=first_row)
    parsed = _parse_rows(rows, first_row, result)
    if not parsed:
        return result
    with transaction.atomic():
        known = _read_known(parsed, allowed)
        plan = _Plan(
            source=source,
            principal=principal,
            files=files,
            user=acting_user(principal),
            label=principal.label,
        )
        for number, row in parsed:
            _file_row(number, row, known, plan, result)
        _insert(plan)
        _audit(plan.contracts)
        _renew(plan.renewed.values(), principal)
        _correct(plan, result)
    result.created = plan.contracts
    return result


def _parse_rows(rows: list, first_row: int, result: BatchResult) -> list[tuple[int, dict]]:
    """(row number, typed row) of the rows without a format error; the others' errors reported."""
    parsed: list[tuple[int, dict]] = []
    today = timezone.localdate()
    for offset, raw in enumerate(rows):
        number = first_row + offset
        if not isinstance(raw, dict):
            result.refuse(number, [RowError(number, "", _("A row must be an object of columns."))])
            continue
        row, problems = importing.parse_row(raw, today)
        if problems:
            errors = [
                RowError(number, f, r, getattr(problem, "code", "invalid"))
                for problem in problems
                for f, r in [problem]
            ]
            result.refuse(number, errors)
            continue
        parsed.append((number, row))
    return parsed


def _read_known(parsed: list[tuple[int, dict]], allowed) -> _Known:
    enterprises = {e.uscc: e for e in allowed.filter(uscc__in={r["enterprise_uscc"] for _, r in parsed})}
    hash_of = {
        number: personal_data.lookup_hash(number) for number in {r["worker_id_number"] for _, r in parsed}
    }
    workers = selectors.workers_by_hash(set(hash_of.values()))
    policies = selectors.policies()
    return _Known(
        enterprises=enterprises,
        hash_of=hash_of,
        workers=workers,
        filed=selectors.filed_records({(r["platform"], r["record_id"]) for _, r in parsed if r["record_id"]}),
        priors=selectors.contracts_of_workers(
            [w.pk for w in workers.values()], [e.pk for e in enterprises.values()]
        ),
        policies=policies,
        wages={p.pk: rules.wage_policy(p) for p in policies},
    )


def _file_row(number: int, row: dict, known: _Known, plan: _Plan, result: BatchResult) -> None:
    """Plan the filing of one row, or of the correction of the contract it repeats, or report why
    not (or that it is already filed as it is)."""
    enterprise = known.enterprises.get(row["enterprise_uscc"])
    if enterprise is None:
        message = _("No enterprise with this credit code that you may file for.")
        result.refuse(number, [RowError(number, "enterprise_uscc", message, "unknown_enterprise")])
        return
    id_hash = known.hash_of[row["worker_id_number"]]
    worker = known.workers.get(id_hash) or plan.new_workers.get(id_hash)
    existing = known.priors.get((worker.pk, enterprise.pk), []) if worker else []
    key = (row["platform"], row["record_id"]) if row["record_id"] else None
    if key is not None and key in plan.records:
        _repeated_in_batch(number, row, *plan.records[key], result)
        return
    filed = known.filed.get(key) if key is not None else None
    if filed is None and key is None:
        filed = _paper_match(existing, row)
    if filed is not None:
        _resent(number, row, filed, enterprise, id_hash, existing, known, plan, result, paper=key is None)
        return
    in_batch = (id_hash, enterprise.pk)
    findings = _findings(row, existing, plan.batch_priors[in_batch], known)
    if _refused(number, row, findings, plan.files, result):
        return
    contract = _contract(row, enterprise, worker or _worker_for(row, id_hash, plan), findings, plan)
    if row["signing"] == LabourContract.Signing.E_SIGNATURE:
        plan.signatures.append((contract, row, (plan.files or {}).get(row["file_name"])))
        plan.records[key] = (row, contract.pk)
    _follow(row, contract, existing, in_batch, plan)
    result.outcome(number, CREATED, contract.pk)


def _paper_match(contracts: list[LabourContract], row: dict) -> LabourContract | None:
    """The contract a row without a platform record repeats: filed for the worker at the same
    employer with the same type, start, end and contract number (none on both counts as the
    same), as an import sent again deduplicates. Its other terms (the pay, the job, the hours, …)
    are what a re-sent row may correct; a row that differs in these is another contract (refused
    as an overlap when it meets this one)."""
    return next(
        (
            c
            for c in contracts
            if c.kind == row["kind"]
            and c.start == row["start"]
            and c.end == row["end"]
            and c.reference == row["contract_number"]
        ),
        None,
    )


def _differences(row: dict, contract: LabourContract, *, paper: bool) -> tuple[dict, list[str]]:
    """(field → the row's value, for the correctable columns that differ; the evidence columns that
    differ: for a platform record its e-signature's too, for a paper contract the signing)."""
    values = {
        name: row[column]
        for column, name in rules.CORRECTABLE_COLUMNS.items()
        if row[column] != getattr(contract, name)
    }
    evidence = []
    for column, (where, name) in rules.CORRECTION_EVIDENCE.items():
        if where == "contract":
            holder = contract
        elif paper:
            continue
        else:
            holder = contract.esignature  # loaded with the record (selectors.filed_records)
        if row[column] != getattr(holder, name):
            evidence.append(column)
    return values, evidence


def _resent(
    number: int,
    row: dict,
    filed: LabourContract,
    enterprise,
    id_hash: str,
    existing: list,
    known: _Known,
    plan: _Plan,
    result: BatchResult,
    *,
    paper: bool,
) -> None:
    """A row that repeats a filed contract: left as it is when its values are the same
    (`unchanged` / `duplicate`), planned as a correction when the contract may still be corrected
    and the law accepts the corrected terms, else not applied with its reason."""
    pk = filed.pk
    if filed.enterprise_id != enterprise.pk:
        # Never another enterprise's contract under the same platform record.
        message = _("This platform record is already filed for another enterprise.")
        result.refuse(number, [RowError(number, "record_id", message, "record_other_enterprise")])
        return
    if not paper and filed.worker.id_number_hash != id_hash:
        message = _(
            "This platform record is filed for another worker; a correction cannot change the worker."
        )
        result.refuse(
            number,
            [RowError(number, "worker_id_number", message, "worker_mismatch")],
            code="worker_mismatch",
            contract_id=pk,
        )
        return
    if pk in plan.corrections:  # an earlier row of the batch corrects it
        _repeated_in_batch(number, row, plan.corrections[pk].row, pk, result)
        return
    values, evidence = _differences(row, filed, paper=paper)
    if not values and not evidence:
        result.unchanged += 1
        if paper:
            result.already_filed.append(filed)
        result.outcome(number, DUPLICATE if paper else UNCHANGED, pk)
        return
    if evidence:
        message = _("The signing evidence of a filed contract cannot be corrected; this row differs from it.")
        errors = [RowError(number, column, message, "not_correctable") for column in evidence]
        result.refuse(number, errors, code="not_correctable", contract_id=pk)
        return
    if filed.status not in rules.CORRECTABLE_STATUSES:
        code = f"contract_{filed.status}"
        message = _(
            "The contract is %(status)s: a filed contract is corrected only while it is in force, so "
            "this correction was not applied."
        ) % {"status": str(LabourContract.Status(filed.status).label).lower()}
        result.refuse(number, [RowError(number, "", message, code)], code=code, contract_id=pk)
        return
    # The law's checks on the corrected terms, with the worker's other contracts (not this one).
    others = [c for c in existing if c.pk != pk]
    findings = _findings(row, others, plan.batch_priors[(id_hash, enterprise.pk)], known)
    if _refused(number, row, findings, None, result):
        return
    columns = tuple(c for c, name in rules.CORRECTABLE_COLUMNS.items() if name in values)
    if paper:  # at hand for the audit's description, as the batch's new contracts have theirs
        filed._state.fields_cache.setdefault("worker", known.workers[id_hash])
    plan.corrections[pk] = _Correction(number, row, filed, values, columns, rules.flag_codes(findings))
    for other in existing:  # later rows of the batch meet the corrected terms
        if other.pk == pk and other is not filed:
            for name, value in values.items():
                setattr(other, name, value)
    result.outcome(number, UPDATED, pk, changed=columns)


def _repeated_in_batch(number: int, row: dict, first: dict, pk, result: BatchResult) -> None:
    """A contract that an earlier row of the batch files or corrects: the same row again is that
    contract, unchanged; other values are not applied (which of the two is right is the sender's
    to say)."""
    if all(row[c] == first[c] for c in importing.COLUMNS if c != "file_name"):
        result.unchanged += 1
        result.outcome(number, UNCHANGED, pk)
        return
    message = _("An earlier row of this batch already files or corrects this contract with other values.")
    result.refuse(
        number, [RowError(number, "", message, "repeated_in_batch")], code="repeated_in_batch", contract_id=pk
    )


def _findings(row: dict, existing: list, batch_priors: list, known: _Known) -> list[rules.Finding]:
    """The law's findings on the row, with the worker's contracts at the employer filed before and
    earlier in the batch, and the policy in effect on its start."""
    priors = ([rules.prior_of(c) for c in existing] + batch_priors) if existing else batch_priors
    policy = rules.policy_on(known.policies, row["start"] or timezone.localdate())
    return rules.check(rules.terms_of(row), priors, known.wages[policy.pk] if policy else None)


def _refused(number: int, row: dict, findings: list, files: dict | None, result: BatchResult) -> bool:
    """Report the refusals of the law (with their source) and of the signed file; True if any."""
    refusals = [f for f in findings if f.severity == rules.REFUSE]
    esign_error = _check_file(row, files)
    errors = [RowError(number, f.field, f"{f.message} ({f.source})", f.code) for f in refusals]
    if esign_error:
        errors.append(RowError(number, *esign_error))
    if errors:
        result.refuse(number, errors)
    return bool(errors)


def _follow(row: dict, contract: LabourContract, existing: list, in_batch: tuple, plan: _Plan) -> None:
    """The contracts the new one renews (filed before: through the workflow once inserted; earlier
    in the batch: inserted renewed), and the new one as a prior of the worker's later rows."""
    for previous in _renewed_by(row["start"], existing):
        plan.renewed[previous.pk] = previous
    for previous in _renewed_by(row["start"], plan.batch_contracts[in_batch]):
        previous.status = S.RENEWED
    plan.batch_contracts[in_batch].append(contract)
    plan.batch_priors[in_batch].append(
        rules.Prior(
            kind=row["kind"],
            start=row["start"],
            end=row["end"],
            had_probation=row["probation_end"] is not None,
            reference=row["contract_number"],
        )
    )


def _renewed_by(start, candidates: list) -> list:
    """The contracts among `candidates` (the worker's at the same employer) that a contract
    starting on `start` renews: `rules.renews`, from a state the workflow renews."""
    return [c for c in candidates if c.status in RENEWABLE and rules.renews(c.end, start)]


def _worker_for(row: dict, id_hash: str, plan: _Plan) -> Worker:
    """A worker filed for the first time (inserted with the batch; the ID number is encrypted when
    it is written)."""
    birth, sex = personal_data.birth_date_and_sex(row["worker_id_number"])
    now = timezone.now()
    worker = bulk.table(Worker).build(
        {
            "id": uuid.uuid4(),
            "created_at": now,
            "updated_at": now,
            "name": row["worker_name"],
            "id_number": row["worker_id_number"],
            "id_number_hash": id_hash,
            "sex": sex,
            "birth_date": birth,
            "phone": row["worker_phone"],
        }
    )
    plan.new_workers[id_hash] = worker
    return worker


def _contract(row: dict, enterprise, worker: Worker, findings: list, plan: _Plan) -> LabourContract:
    now = timezone.now()
    contract = bulk.table(LabourContract).build(
        {
            "id": uuid.uuid4(),
            "created_at": now,
            "updated_at": now,
            "enterprise_id": enterprise.pk,
            "worker_id": worker.pk,
            "reference": row["contract_number"],
            "kind": row["kind"],
            "employment_start": row["employment_start"],
            "start": row["start"],
            "end": row["end"],
            "task": row["task"],
            "probation_end": row["probation_end"],
            "job": row["job"],
            "workplace": row["workplace"],
            "hours_system": row["hours_system"],
            "hours_approval": row["hours_approval"],
            "monthly_pay": row["monthly_pay"],
            "hourly_pay": row["hourly_pay"],
            "weekly_hours": row["weekly_hours"],
            "social_insurance": row["social_insurance"],
            "signed_on": row["signed_on"],
            "signing": row["signing"],
            "renews_unfiled": row["renews_unfiled"],
            "status": S.IN_FORCE,
            "flags": rules.flag_codes(findings),
            "source": plan.source,
            "filed_by_id": plan.user.pk if plan.user is not None else None,
        }
    )
    # At hand as with keyword arguments: the audit's description names the worker.
    cache = contract._state.fields_cache
    cache["enterprise"], cache["worker"] = enterprise, worker
    if plan.user is not None:
        cache["filed_by"] = plan.user
    plan.contracts.append(contract)
    return contract


def _check_file(row: dict, files: dict | None) -> tuple[str, str, str] | None:
    if row["signing"] != LabourContract.Signing.E_SIGNATURE or not row["file_name"]:
        return None
    data = (files or {}).get(row["file_name"])
    if data is None:
        return (
            None
            if files is None
            else ("file_name", _("The signed file is not in the upload."), "file_missing")
        )
    actual = hashlib.sha256(data).hexdigest()
    if actual != row["file_sha256"]:
        return (
            "file_sha256",
            _(
                "The signed file's SHA-256 is %(actual)s, not the %(declared)s the platform declared: the file was altered."
            )
            % {"actual": actual, "declared": row["file_sha256"]},
            "file_altered",
        )
    return None


def _signature(contract: LabourContract, row: dict, data: bytes | None, now) -> dict:
    """The e-signature's values; its signed file stored (under its name) when the upload has it."""
    values = {
        "id": uuid.uuid4(),
        "created_at": now,
        "updated_at": now,
        "contract_id": contract.pk,
        "platform": row["platform"],
        "record_id": row["record_id"],
        "employer_signed_at": row["employer_signed_at"],
        "worker_signed_at": row["worker_signed_at"],
        "timestamp_authority": row["timestamp_authority"],
        "timestamp_token": row["timestamp_token"],
        "file": "",
        "sha256": row["file_sha256"],
        "last_verified_at": None,
        "tampered": False,
    }
    if data is not None:
        signature = bulk.table(ESignature).build(values)
        signature.file.save(f"{contract.pk}.pdf", ContentFile(data), save=False)
        values["file"] = signature.file.name
    return values


def _history(
    contract: LabourContract, action: str, from_status: str, to_status: str, plan: _Plan, at
) -> dict:
    return {
        "id": uuid.uuid4(),
        "at": at,
        "action": action,
        "from_status": from_status,
        "to_status": to_status,
        "actor_id": plan.user.pk if plan.user is not None else None,
        "actor_label": plan.label,
        "reason": "",
        "subject_id": contract.pk,
    }


def _insert(plan: _Plan) -> None:
    """The batch's workers, contracts, their history ("file", and "renew" for those renewed
    within the batch, after it) and e-signatures, in bulk."""
    now = timezone.now()
    history = [_history(c, "file", "", S.IN_FORCE, plan, now) for c in plan.contracts]
    renewed = [c for c in plan.contracts if c.status == S.RENEWED]
    if renewed:
        later = max(timezone.now(), now + dt.timedelta(microseconds=1))
        history += [_history(c, "renew", S.IN_FORCE, S.RENEWED, plan, later) for c in renewed]
    bulk.insert(Worker, list(plan.new_workers.values()))
    bulk.insert(LabourContract, plan.contracts)
    bulk.insert(ContractHistory, history)
    bulk.insert(ESignature, [_signature(c, row, data, now) for c, row, data in plan.signatures])


def _audit(contracts: list[LabourContract]) -> None:
    if not contracts:
        return  # nothing filed (a re-import): no figure changed, no event to write
    # The park's totals and the enterprises' books count them.
    figures_changed(*selectors.topics_of(contracts))
    _name_workers(contracts)
    audit.record_many(
        "contracts.file",
        contracts,
        after=lambda c: {
            "enterprise": str(c.enterprise_id),
            "kind": c.kind,
            "start": c.start,
            "flags": c.flags,
            "source": c.source,
        },
    )


def _name_workers(contracts: list[LabourContract]) -> None:
    """A contract without a contract number is described by its worker's name: the names of the
    workers filed before (loaded without them) are read in one query, not one per contract."""
    unnamed = {}
    for contract in contracts:
        worker = contract.worker
        if not contract.reference and "name" not in worker.__dict__:
            unnamed.setdefault(worker.pk, []).append(worker)
    if unnamed:
        for pk, name in Worker.objects.filter(pk__in=list(unnamed)).values_list("pk", "name"):
            for worker in unnamed[pk]:
                worker.name = name


def _renew(contracts, principal) -> None:
    """The contracts filed before that the batch follows are renewed, through the workflow. The
    renewal follows from the filing the principal made: API clients' and the platform's as the
    system, users' as themselves."""
    actor = SYSTEM if principal.is_api_client or principal.is_system else principal
    for previous in contracts:
        transition(previous, WORKFLOW, "renew", actor)


def _correct(plan: _Plan, result: BatchResult) -> None:
    """Apply the batch's corrections: the contracts locked and checked unchanged since they were
    read (else `changed_meanwhile`, not applied), their fields and flags in one UPDATE, a history
    entry ("correct", the columns changed) and an audit event (before and after) each."""
    if not plan.corrections:
        return
    current = {
        pk: (status, updated_at)
        for pk, status, updated_at in LabourContract.objects.select_for_update()
        .filter(pk__in=list(plan.corrections))
        .order_by()
        .values_list("pk", "status", "updated_at")
    }
    corrections = []
    for pk, correction in plan.corrections.items():
        if current.get(pk) != (correction.contract.status, correction.contract.updated_at):
            message = _("The contract was changed by someone else while this row was checked; send it again.")
            number = correction.number
            result.outcomes.pop(number - result.first_row, None)
            result.refuse(
                number,
                [RowError(number, "", message, "changed_meanwhile")],
                code="changed_meanwhile",
                contract_id=pk,
            )
            continue
        corrections.append(correction)
    if not corrections:
        return
    now = timezone.now()
    before, after, contracts = {}, {}, []
    for correction in corrections:
        contract = correction.contract
        before[contract.pk] = {name: getattr(contract, name) for name in correction.values}
        after[contract.pk] = dict(correction.values)
        if list(contract.flags) != correction.flags:
            before[contract.pk]["flags"], after[contract.pk]["flags"] = contract.flags, correction.flags
        for name, value in correction.values.items():
            setattr(contract, name, value)
        contract.flags = correction.flags
        contract.updated_at = now
        contracts.append(contract)
    LabourContract.objects.bulk_update(
        contracts, [*rules.CORRECTABLE_COLUMNS.values(), "flags", "updated_at"], batch_size=500
    )
    bulk.insert(
        ContractHistory,
        [
            {
                **_history(c.contract, "correct", c.contract.status, c.contract.status, plan, now),
                "reason": ", ".join(c.changed),
            }
            for c in corrections
        ],
    )
    figures_changed(*selectors.topics_of(contracts))
    _name_workers(contracts)  # a contract without a number is described by its worker's name
    audit.record_many(
        "contracts.correct", contracts, before=lambda c: before[c.pk], after=lambda c: after[c.pk]
    )
    result.updated = contracts


# Writing in bulk -----------------------------------------------------------------------------------


def file_contract(principal, row: dict, *, file_bytes: bytes | None = None) -> LabourContract:
    """File one contract (the page and the API's single filing): `file_one`'s contract."""
    return file_one(principal, row, file_bytes=file_bytes)[0]


def file_one(principal, row: dict, *, file_bytes: bytes | None = None) -> tuple[LabourContract, RowOutcome]:
    """File one contract, or correct the one it repeats, and say which (`RowOutcome`: created,
    updated, unchanged, duplicate). Refusals raise a DomainError with every field's reason and
    code; a repeat that may not correct what is filed raises InvalidTransition (the API's 409)
    with its reason's code (`contract_terminated`, `worker_mismatch`, …)."""
    files = None
    if file_bytes is not None:
        row = {**row, "file_name": row.get("file_name") or "signed.pdf"}
        files = {row["file_name"]: file_bytes}
        if not row.get("file_sha256"):
            row["file_sha256"] = hashlib.sha256(file_bytes).hexdigest()
    result = file_batch(
        principal,
        [row],
        source=LabourContract.Source.PAGE if not principal.is_api_client else LabourContract.Source.API,
        files=files,
    )
    outcome = result.outcomes[0]
    if result.errors:
        fields: dict[str, list] = defaultdict(list)
        codes: dict[str, list] = defaultdict(list)
        for error in result.errors:
            fields[error.field or "__all__"].append(error.reason)
            codes[error.field or "__all__"].append(error.code)
        first = result.errors[0].reason
        if outcome.status == NOT_APPLIED:
            raise InvalidTransition(first, code=outcome.code, fields=dict(fields), codes=dict(codes))
        raise DomainError(first, code="invalid", fields=dict(fields), codes=dict(codes))
    if outcome.status == CREATED:
        return result.created[0], outcome
    return LabourContract.objects.get(pk=outcome.contract_id), outcome
