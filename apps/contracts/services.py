"""Writes of labour-contract filing: filing in batches (pages, the API and the signing platform's
import all go through `file_batch`), termination, renewal, expiry, verification of the signed file,
and the daily alerts.

Every row is checked by `rules.check` with the worker's other contracts at the same employer and
the policy in effect; refusals are reported per row and field (nothing of the row is written),
flags are stored on the contract. A batch is written in one transaction with bulk inserts, so a
large import runs at thousands of rows a second (`manage.py benchmark_contract_import`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from apps.accounts.roles import Role
from apps.audit import services as audit
from apps.audit.history import transition
from apps.core import personal_data
from apps.core.calendar import add_working_days
from apps.core.errors import DomainError, NotAllowed
from apps.core.tasks import enqueue_on_commit
from apps.enterprises.models import Enterprise

from . import rules
from .models import ContractHistory, ContractPolicy, ESignature, LabourContract, Worker
from .workflow import WORKFLOW

S = LabourContract.Status
MAX_PAY = Decimal("9999999")
#: Columns of a filing row: the import format (docs/contracts-import.md), the API and the page.
COLUMNS = (
    "enterprise_uscc",
    "worker_name",
    "worker_id_number",
    "worker_phone",
    "contract_number",
    "kind",
    "employment_start",
    "start",
    "end",
    "task",
    "probation_end",
    "job",
    "workplace",
    "hours_system",
    "hours_approval",
    "monthly_pay",
    "hourly_pay",
    "weekly_hours",
    "social_insurance",
    "signed_on",
    "signing",
    "platform",
    "record_id",
    "employer_signed_at",
    "worker_signed_at",
    "timestamp_authority",
    "timestamp_token",
    "file_sha256",
    "file_name",
)
REQUIRED = (
    "enterprise_uscc",
    "worker_name",
    "worker_id_number",
    "kind",
    "employment_start",
    "start",
    "job",
    "signed_on",
)
E_SIGN_REQUIRED = ("platform", "record_id", "employer_signed_at", "worker_signed_at", "file_sha256")
TRUE = {"1", "true", "yes", "y", "是", "t"}
#: The choices' values, once (the enum's `values` builds a new list on every call).
KIND_VALUES = frozenset(rules.Kind.values)
SIGNING_VALUES = frozenset(LabourContract.Signing.values)
FALSE = {"0", "false", "no", "n", "否", "f", ""}


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "reason": self.reason}


@dataclass
class BatchResult:
    created: list = field(default_factory=list)
    unchanged: int = 0
    #: The contracts that paper rows repeated (counted in `unchanged`; only their PRIOR_FIELDS loaded).
    already_filed: list = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})


def _today() -> dt.date:
    return timezone.localdate()


def _user(principal):
    user = principal.user
    return user if user is not None and user.is_authenticated else None


# Who may file for which enterprise ------------------------------------------------------------------


def filing_enterprises(principal):
    """The enterprises the principal may file for: HR their own; park administrators and the
    platform every one; API clients with `contracts:write` those of their area."""
    if principal.is_system or principal.is_park_admin:
        return Enterprise.objects.all()
    if principal.is_api_client:
        if not principal.has_scope("contracts:write"):
            raise NotAllowed(_("The API client needs the “contracts:write” scope."))
        return Enterprise.objects.visible_to(principal)
    if principal.user is None or not principal.user.has_perm("contracts.file_contract"):
        raise NotAllowed(_("Your role may not file labour contracts."))
    return Enterprise.objects.filter(organisation_id__in=principal.organisation_ids(Role.ENTERPRISE_HR))


def policy_on(policies: list[ContractPolicy], day: dt.date) -> ContractPolicy | None:
    """The newest policy in effect on `day` (policies sorted newest first)."""
    return next((p for p in policies if p.effective_from <= day), None)


def current_policy(day: dt.date | None = None) -> ContractPolicy | None:
    return policy_on(list(ContractPolicy.objects.all()), day or _today())


# Parsing one row -----------------------------------------------------------------------------------


def _text(value, limit: int) -> str:
    if value is None:
        return ""
    return str(value).strip()[:limit]


def _parse_date(value, name, errors):
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        errors.append((name, _("Enter a date as YYYY-MM-DD.")))
        return None


def _parse_datetime(value, name, errors):
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = parse_datetime(str(value).strip())
        except ValueError:
            moment = None
        if moment is None:
            errors.append((name, _("Enter a time as YYYY-MM-DDTHH:MM:SS+08:00.")))
            return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _parse_decimal(value, name, errors, *, maximum=MAX_PAY):
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        errors.append((name, _("Enter a number.")))
        return None
    if not amount.is_finite() or amount < 0 or amount > maximum:
        errors.append((name, _("Enter a number between 0 and %(max)s.") % {"max": maximum}))
        return None
    return amount.quantize(Decimal("0.01")) if name != "weekly_hours" else amount.quantize(Decimal("0.1"))


def _parse_bool(value, name, errors, default=True):
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return default if text == "" else False
    errors.append((name, _("Enter yes or no.")))
    return default


def parse_row(raw: dict) -> tuple[dict, list[tuple[str, str]]]:
    """Typed values of one filing row and its format errors [(field, reason)]."""
    errors: list[tuple[str, str]] = []
    row = {name: raw.get(name) for name in COLUMNS}
    for name in REQUIRED:
        if row[name] in (None, "") or (isinstance(row[name], str) and not row[name].strip()):
            errors.append((name, _("This column is required.")))
    id_number = _text(row["worker_id_number"], 30)
    if id_number:
        try:
            id_number = personal_data.validate_id_number(id_number)
        except ValidationError as exc:
            errors.append(("worker_id_number", exc.messages[0]))
    phone, phone_problem = personal_data.check_phone(_text(row["worker_phone"], 30))
    if phone_problem:
        errors.append(("worker_phone", str(phone_problem)))
    kind = _text(row["kind"], 20)
    if kind and kind not in KIND_VALUES:
        errors.append(("kind", _("Use one of: %(values)s.") % {"values": ", ".join(rules.Kind.values)}))
    hours_system = _text(row["hours_system"], 20) or rules.HoursSystem.STANDARD
    signing = _text(row["signing"], 20) or LabourContract.Signing.PAPER
    if signing not in SIGNING_VALUES:
        errors.append(
            ("signing", _("Use one of: %(values)s.") % {"values": ", ".join(LabourContract.Signing.values)})
        )
    parsed = {
        "enterprise_uscc": _text(row["enterprise_uscc"], 18).upper(),
        "worker_name": _text(row["worker_name"], 50),
        "worker_id_number": id_number,
        "worker_phone": phone,
        "contract_number": _text(row["contract_number"], 60),
        "kind": kind,
        "employment_start": _parse_date(row["employment_start"], "employment_start", errors),
        "start": _parse_date(row["start"], "start", errors),
        "end": _parse_date(row["end"], "end", errors),
        "task": _text(row["task"], 300),
        "probation_end": _parse_date(row["probation_end"], "probation_end", errors),
        "job": _text(row["job"], 100),
        "workplace": _text(row["workplace"], 200),
        "hours_system": hours_system,
        "hours_approval": _text(row["hours_approval"], 100),
        "monthly_pay": _parse_decimal(row["monthly_pay"], "monthly_pay", errors),
        "hourly_pay": _parse_decimal(row["hourly_pay"], "hourly_pay", errors, maximum=Decimal("99999")),
        "weekly_hours": _parse_decimal(row["weekly_hours"], "weekly_hours", errors, maximum=Decimal("168")),
        "social_insurance": _parse_bool(row["social_insurance"], "social_insurance", errors),
        "signed_on": _parse_date(row["signed_on"], "signed_on", errors),
        "signing": signing,
        "platform": _text(row["platform"], 50),
        "record_id": _text(row["record_id"], 100),
        "employer_signed_at": _parse_datetime(row["employer_signed_at"], "employer_signed_at", errors),
        "worker_signed_at": _parse_datetime(row["worker_signed_at"], "worker_signed_at", errors),
        "timestamp_authority": _text(row["timestamp_authority"], 100),
        "timestamp_token": _text(row["timestamp_token"], 20000),
        "file_sha256": _text(row["file_sha256"], 64).lower(),
        "file_name": _text(row["file_name"], 255),
    }
    today = _today()
    for name in ("employment_start", "start", "signed_on"):
        if parsed[name] and parsed[name] > today + dt.timedelta(days=366):
            errors.append((name, _("The date is more than a year ahead.")))
    if parsed["signed_on"] and parsed["signed_on"] > today:
        errors.append(("signed_on", _("The contract cannot have been signed in the future.")))
    if signing == LabourContract.Signing.E_SIGNATURE:
        for name in E_SIGN_REQUIRED:
            if not parsed[name]:
                errors.append((name, _("An e-signed contract needs this evidence column.")))
        if parsed["file_sha256"] and (
            len(parsed["file_sha256"]) != 64
            or any(c not in "0123456789abcdef" for c in parsed["file_sha256"])
        ):
            errors.append(("file_sha256", _("A SHA-256 is 64 hexadecimal characters.")))
    return parsed, errors


def _terms(row: dict) -> rules.Terms:
    return rules.Terms(
        kind=row["kind"],
        employment_start=row["employment_start"],
        start=row["start"],
        end=row["end"],
        task=row["task"],
        probation_end=row["probation_end"],
        hours_system=row["hours_system"],
        hours_approval=row["hours_approval"],
        monthly_pay=row["monthly_pay"],
        hourly_pay=row["hourly_pay"],
        weekly_hours=row["weekly_hours"],
        signed_on=row["signed_on"],
    )


def _prior(contract: LabourContract) -> rules.Prior:
    return rules.Prior(
        kind=contract.kind,
        start=contract.start,
        end=contract.end,
        had_probation=contract.probation_end is not None,
        ended_on=contract.terminated_on,
        reference=contract.reference or str(contract.start),
    )


# Filing ----------------------------------------------------------------------------------------------


#: What file_batch reads of the worker's other contracts at the employer (`_prior`,
#: `_already_filed`, the renewal check; `transition` locks and reads the contract again).
PRIOR_FIELDS = (
    "pk",
    "worker_id",
    "enterprise_id",
    "kind",
    "start",
    "end",
    "probation_end",
    "terminated_on",
    "reference",
    "status",
)


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
    allowed = filing_enterprises(principal)
    result = BatchResult()
    parsed: list[tuple[int, dict]] = []
    for offset, raw in enumerate(rows):
        number = first_row + offset
        if not isinstance(raw, dict):
            result.errors.append(RowError(number, "", _("A row must be an object of columns.")))
            continue
        row, problems = parse_row(raw)
        if problems:
            result.errors.extend(RowError(number, f, r) for f, r in problems)
            continue
        parsed.append((number, row))
    if not parsed:
        return result

    enterprises = {e.uscc: e for e in allowed.filter(uscc__in={r["enterprise_uscc"] for _, r in parsed})}
    # The keyed hash of each ID number, computed once per number.
    hash_of = {r["worker_id_number"]: personal_data.lookup_hash(r["worker_id_number"]) for _, r in parsed}
    hashes = set(hash_of.values())
    with transaction.atomic():
        # Only the key: a worker already filed is only referred to (its ID number is not decrypted).
        workers = {
            w.id_number_hash: w
            for w in Worker.objects.filter(id_number_hash__in=hashes).only("pk", "id_number_hash")
        }
        esign_keys = {(r["platform"], r["record_id"]) for _, r in parsed if r["record_id"]}
        # (platform, record id) already filed → the enterprise it was filed for.
        filed_keys: dict[tuple, object] = {}
        if esign_keys:
            platforms = {p for p, _r in esign_keys}
            records = {r for _p, r in esign_keys}
            filed_keys = {
                (platform, record): enterprise_id
                for platform, record, enterprise_id in ESignature.objects.filter(
                    platform__in=platforms, record_id__in=records
                ).values_list("platform", "record_id", "contract__enterprise_id")
            }
        priors: dict[tuple, list[LabourContract]] = defaultdict(list)
        if workers:
            existing = LabourContract.objects.filter(
                worker__in=[w.pk for w in workers.values()],
                enterprise__in=[e.pk for e in enterprises.values()],
            ).only(*PRIOR_FIELDS)
            for contract in existing:
                priors[(contract.worker_id, contract.enterprise_id)].append(contract)
        policies = list(ContractPolicy.objects.all())
        new_workers: dict[str, Worker] = {}
        contracts, signatures, renewed = [], [], []
        batch_priors: dict[tuple, list[rules.Prior]] = defaultdict(list)
        batch_contracts: dict[tuple, list[LabourContract]] = defaultdict(list)
        for number, row in parsed:
            key = (row["platform"], row["record_id"])
            enterprise = enterprises.get(row["enterprise_uscc"])
            if enterprise is None:
                result.errors.append(
                    RowError(
                        number,
                        "enterprise_uscc",
                        _("No enterprise with this credit code that you may file for."),
                    )
                )
                continue
            if row["record_id"] and (key in filed_keys):
                if filed_keys[key] != enterprise.pk:
                    # Never another enterprise's contract under the same platform record.
                    result.errors.append(
                        RowError(
                            number,
                            "record_id",
                            _("This platform record is already filed for another enterprise."),
                        )
                    )
                else:
                    result.unchanged += 1
                continue
            id_hash = hash_of[row["worker_id_number"]]
            worker = workers.get(id_hash) or new_workers.get(id_hash)
            worker_key = (id_hash, enterprise.pk)
            existing_priors = priors.get((worker.pk, enterprise.pk), []) if worker else []
            same = None if row["record_id"] else _already_filed(existing_priors, row)
            if same is not None:
                result.unchanged += 1  # a paper row imported again
                result.already_filed.append(same)
                continue
            prior_terms = [_prior(c) for c in existing_priors] + batch_priors[worker_key]
            policy = policy_on(policies, row["start"] or _today())
            findings = rules.check(
                _terms(row),
                prior_terms,
                rules.Policy(policy.monthly_minimum_wage, policy.hourly_minimum_wage) if policy else None,
            )
            refusals = [f for f in findings if f.severity == rules.REFUSE]
            esign_error = _check_file(row, files)
            if refusals or esign_error:
                result.errors.extend(RowError(number, f.field, f"{f.message} ({f.source})") for f in refusals)
                if esign_error:
                    result.errors.append(RowError(number, *esign_error))
                continue
            if worker is None:
                birth, sex = personal_data.birth_date_and_sex(row["worker_id_number"])
                worker = Worker(
                    name=row["worker_name"],
                    id_number=row["worker_id_number"],
                    id_number_hash=id_hash,
                    sex=sex,
                    birth_date=birth,
                    phone=row["worker_phone"],
                )
                new_workers[id_hash] = worker
            contract = LabourContract(
                enterprise=enterprise,
                worker=worker,
                reference=row["contract_number"],
                kind=row["kind"],
                employment_start=row["employment_start"],
                start=row["start"],
                end=row["end"],
                task=row["task"],
                probation_end=row["probation_end"],
                job=row["job"],
                workplace=row["workplace"],
                hours_system=row["hours_system"],
                hours_approval=row["hours_approval"],
                monthly_pay=row["monthly_pay"],
                hourly_pay=row["hourly_pay"],
                weekly_hours=row["weekly_hours"],
                social_insurance=row["social_insurance"],
                signed_on=row["signed_on"],
                signing=row["signing"],
                flags=[f.code for f in findings],
                source=source,
                filed_by=_user(principal),
            )
            contracts.append(contract)
            if row["signing"] == LabourContract.Signing.E_SIGNATURE:
                signatures.append((contract, row, (files or {}).get(row["file_name"])))
                filed_keys[key] = enterprise.pk
            # A contract that ends the day before this one starts is renewed by it.
            for previous in existing_priors:
                if (
                    previous.status in (S.IN_FORCE, S.EXPIRED)
                    and previous.end
                    and (row["start"] - previous.end).days == 1
                ):
                    renewed.append(previous)
            # ...and so is a contract of the same worker earlier in this batch.
            for previous in batch_contracts[worker_key]:
                if previous.end and (row["start"] - previous.end).days == 1:
                    previous.status = S.RENEWED
            batch_contracts[worker_key].append(contract)
            batch_priors[worker_key].append(
                rules.Prior(
                    kind=row["kind"],
                    start=row["start"],
                    end=row["end"],
                    had_probation=row["probation_end"] is not None,
                    reference=row["contract_number"],
                )
            )
        Worker.objects.bulk_create(list(new_workers.values()), batch_size=1000)
        LabourContract.objects.bulk_create(contracts, batch_size=1000)
        user = _user(principal)
        ContractHistory.objects.bulk_create(
            [
                ContractHistory(
                    subject=c,
                    action="file",
                    from_status="",
                    to_status=S.IN_FORCE,
                    actor=user,
                    actor_label=principal.label,
                )
                for c in contracts
            ]
            + [
                ContractHistory(
                    subject=c,
                    action="renew",
                    from_status=S.IN_FORCE,
                    to_status=S.RENEWED,
                    actor=user,
                    actor_label=principal.label,
                )
                for c in contracts
                if c.status == S.RENEWED
            ],
            batch_size=1000,
        )
        ESignature.objects.bulk_create(
            [_signature(c, row, data) for c, row, data in signatures], batch_size=1000
        )
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
        for previous in {c.pk: c for c in renewed}.values():
            transition(previous, WORKFLOW, "renew", _system_or(principal))
        result.created = contracts
    return result


def _already_filed(contracts: list[LabourContract], row: dict) -> LabourContract | None:
    """The contract a row without a platform record repeats: already filed for the worker at the
    same employer with the same type, start, end and contract number. Importing a file again
    leaves it as it is instead of refusing it as an overlap; any other difference is still an
    overlap."""
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


def _system_or(principal):
    """Renewal follows from the filing the principal made; API clients and HR may renew."""
    from apps.core.principal import SYSTEM

    return SYSTEM if principal.is_api_client or principal.is_system else principal


def _check_file(row: dict, files: dict | None) -> tuple[str, str] | None:
    if row["signing"] != LabourContract.Signing.E_SIGNATURE or not row["file_name"]:
        return None
    data = (files or {}).get(row["file_name"])
    if data is None:
        return None if files is None else ("file_name", _("The signed file is not in the upload."))
    actual = hashlib.sha256(data).hexdigest()
    if actual != row["file_sha256"]:
        return (
            "file_sha256",
            _(
                "The signed file's SHA-256 is %(actual)s, not the %(declared)s the platform declared: the file was altered."
            )
            % {"actual": actual, "declared": row["file_sha256"]},
        )
    return None


def _signature(contract: LabourContract, row: dict, data: bytes | None) -> ESignature:
    signature = ESignature(
        contract=contract,
        platform=row["platform"],
        record_id=row["record_id"],
        employer_signed_at=row["employer_signed_at"],
        worker_signed_at=row["worker_signed_at"],
        timestamp_authority=row["timestamp_authority"],
        timestamp_token=row["timestamp_token"],
        sha256=row["file_sha256"],
    )
    if data is not None:
        signature.file.save(f"{contract.pk}.pdf", ContentFile(data), save=False)
    return signature


def file_contract(principal, row: dict, *, file_bytes: bytes | None = None) -> LabourContract:
    """File one contract (the page and the API's single filing). Refusals raise a DomainError
    with every field's reason; an already filed (platform, record id), or a paper contract filed
    before with the same terms (`_already_filed`), is returned as it is."""
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
    if result.errors:
        fields: dict[str, list] = defaultdict(list)
        for error in result.errors:
            fields[error.field or "__all__"].append(error.reason)
        raise DomainError(result.errors[0].reason, fields=dict(fields))
    if result.created:
        return result.created[0]
    if result.already_filed:
        return LabourContract.objects.get(pk=result.already_filed[0].pk)
    return (
        ESignature.objects.select_related("contract")
        .get(platform=_text(row.get("platform"), 50), record_id=_text(row.get("record_id"), 100))
        .contract
    )


# Lifecycle -----------------------------------------------------------------------------------------


def termination_filing_due(
    contract: LabourContract, policies: list[ContractPolicy] | None = None
) -> dt.date | None:
    """[POLICY] The last day to file a termination: N working days after it (7 by default).
    `policies` (newest first) saves a query per contract in lists."""
    if contract.terminated_on is None:
        return None
    policy = (
        policy_on(policies, contract.terminated_on)
        if policies is not None
        else current_policy(contract.terminated_on)
    )
    days = policy.termination_filing_days if policy else 7
    return add_working_days(contract.terminated_on, days).date


def termination_filed_late(contract: LabourContract, policies: list[ContractPolicy] | None = None) -> bool:
    """Whether the termination was filed after `termination_filing_due`."""
    due = termination_filing_due(contract, policies)
    return bool(due and contract.termination_filed_on and contract.termination_filed_on > due)


@transaction.atomic
def terminate(principal, contract: LabourContract, *, terminated_on, reason: str) -> LabourContract:
    """File the termination of a contract (the filing date is today; late filings are shown in
    the enterprise's book). Terminated contracts are kept at least 2 years (art. 50)."""
    errors = []
    day = _parse_date(terminated_on, "terminated_on", errors)
    if day is None and not errors:
        errors.append(("terminated_on", _("Enter the date the contract ended.")))
    if day is not None:
        if day > _today():
            errors.append(("terminated_on", _("File a termination once it has happened.")))
        elif day < contract.start:
            errors.append(("terminated_on", _("The contract cannot end before it started.")))
    if errors:
        raise DomainError(errors[0][1], fields={f: [r] for f, r in errors})
    return transition(
        contract,
        WORKFLOW,
        "terminate",
        principal,
        reason=reason,
        changes={
            "terminated_on": day,
            "termination_reason": (reason or "").strip()[:300],
            "termination_filed_on": _today(),
        },
    )


def expire_contracts(today: dt.date | None = None) -> int:
    """Daily: contracts in force whose end has passed expire (those renewed are already marked)."""
    from apps.core.principal import SYSTEM

    today = today or _today()
    count = 0
    for contract in LabourContract.objects.filter(status=S.IN_FORCE, end__lt=today).only("pk", "status"):
        with transaction.atomic():
            transition(contract, WORKFLOW, "expire", SYSTEM)
            count += 1
    return count


@transaction.atomic
def verify_signed_file(principal, contract: LabourContract) -> bool:
    """Re-hash the stored signed file; a mismatch is marked as tampering (and audited)."""
    signature = ESignature.objects.select_for_update().filter(contract=contract).first()
    if signature is None or not signature.file:
        raise DomainError(_("No signed file is stored for this contract."), code="no_file")
    with signature.file.open("rb") as fh:
        digest = hashlib.sha256()
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    intact = digest.hexdigest() == signature.sha256
    signature.last_verified_at = timezone.now()
    signature.tampered = not intact
    signature.save(update_fields=["last_verified_at", "tampered", "updated_at"])
    audit.record(
        "contracts.verify_signed_file",
        signature,
        after={"intact": intact, "sha256": signature.sha256, "actual": digest.hexdigest()},
        only_changes=False,
    )
    return intact


# Daily alerts to enterprise HR (written by the alerts helper) --------------------------------------

#: The figures of the daily alert (keys of `selectors.BOOK_LISTS`), in the order of the message.
ALERT_KEYS = ("expiring_30", "without_contract", "open_ended_due")


def alert_figures(today: dt.date) -> dict:
    """{enterprise id: {key: count}} for every enterprise with something to report, computed with
    the book's selectors over the whole park and grouped by enterprise: a handful of queries
    however many enterprises there are (each selector filters row by row, so the counts are those
    of `selectors.<list>(contracts of the enterprise, today)`)."""
    from django.db.models import Count

    from . import selectors

    every = LabourContract.objects.all()
    lists = {
        "expiring_30": selectors.expiring(every, today, 30),
        "without_contract": selectors.without_contract(every, today),
        "open_ended_due": selectors.open_ended_due(every, today),
    }
    figures: dict = defaultdict(lambda: dict.fromkeys(ALERT_KEYS, 0))
    for key, qs in lists.items():
        for enterprise_id, count in qs.order_by().values_list("enterprise_id").annotate(n=Count("pk")):
            figures[enterprise_id][key] = count
    return {pk: counts for pk, counts in figures.items() if any(counts.values())}


def send_contract_alerts(today: dt.date | None = None) -> dict:
    """Daily (Celery beat, after the expiry job): one notification to the HR users of each
    enterprise with contracts expiring within 30 days, workers without a written contract after
    one month (arts. 10, 82) or open-ended contracts due (art. 14), with the three counts and a
    link to the enterprise's book. Idempotent per day (`AlertLog`): a second run the same day
    sends nothing; an enterprise with nothing to report, or without an active HR user, gets
    nothing. Park administrators see the totals in the book (`selectors.park_totals`)."""
    from django.urls import reverse

    from apps.accounts.models import Membership
    from apps.notifications.services import notify

    from .models import AlertLog

    today = today or _today()
    figures = alert_figures(today)
    if figures:
        done = set(
            AlertLog.objects.filter(day=today, enterprise_id__in=list(figures)).values_list(
                "enterprise_id", flat=True
            )
        )
        figures = {pk: counts for pk, counts in figures.items() if pk not in done}
    enterprises = list(
        Enterprise.objects.filter(pk__in=list(figures)).only("pk", "name", "organisation_id").order_by("name")
    )
    hr_users: dict = defaultdict(list)
    for membership in Membership.objects.filter(
        role=Role.ENTERPRISE_HR,
        organisation_id__in={e.organisation_id for e in enterprises},
        user__is_active=True,
    ).select_related("user"):
        hr_users[membership.organisation_id].append(membership.user)
    sent = recipients = 0
    for enterprise in enterprises:
        users = hr_users.get(enterprise.organisation_id)
        if not users:
            continue
        counts = figures[enterprise.pk]
        with transaction.atomic():
            _log, created = AlertLog.objects.get_or_create(
                enterprise=enterprise, day=today, defaults={"counts": counts}
            )
            if not created:
                continue  # another worker sent it meanwhile
            notify(
                users,
                title=lambda name=enterprise.name: (
                    _("Labour contracts of %(enterprise)s need attention") % {"enterprise": name}
                ),
                body=lambda c=counts: "\n".join(
                    [
                        _("Contracts expiring within 30 days: %(n)s") % {"n": c["expiring_30"]},
                        _("Workers without a written contract after one month (%(source)s): %(n)s")
                        % {"n": c["without_contract"], "source": rules.ART_82},
                        _("Open-ended contracts due (%(source)s): %(n)s")
                        % {"n": c["open_ended_due"], "source": rules.ART_14},
                        _("The lists are in the enterprise's contract book."),
                    ]
                ),
                link=reverse("enterprises:detail", args=[enterprise.pk]) + "#contracts",
            )
        sent += 1
        recipients += len({u.pk for u in users})
    return {"enterprises": sent, "recipients": recipients}


# Imports from the e-signing platform (written by the import helper) ---------------------------------

#: Most entries kept in an import job's report (the job counts every row with errors).
REPORT_LIMIT = 1000


def _import_enterprises(principal):
    """The enterprises an import may file for; NotAllowed for a principal who may not import
    (users need `contracts.import_contracts`, API clients `contracts:write`)."""
    if not principal.is_api_client and not principal.is_system:
        user = _user(principal)
        if user is None or not user.has_perm("contracts.import_contracts"):
            raise NotAllowed(_("Your role may not import contracts from the signing platform."))
    allowed = filing_enterprises(principal)
    if not allowed.exists():
        raise NotAllowed(_("There is no enterprise you may file contracts for."))
    return allowed


def start_import(principal, uploaded, *, queue: bool = True):
    """Store an upload of the signing platform's export as an ImportJob and queue its filing
    (`contracts.run_import`) after commit (`queue=False`: the caller runs `run_import` itself, as
    the benchmark does). A file that cannot be an import (empty, over 200 MB, not
    CSV/XLSX/JSON Lines/ZIP, an unsafe zip, a zip without exactly one data file and a manifest)
    raises a DomainError on "file"; its rows are checked when the job runs."""
    from . import importing
    from .models import ImportJob

    allowed = _import_enterprises(principal)
    name = importing.file_name(uploaded)
    checked = importing.check_file(uploaded, name)
    only = list(allowed[:2]) if principal.has_role(Role.ENTERPRISE_HR) and not principal.is_park_admin else []
    with transaction.atomic():
        job = ImportJob(
            file_name=name,
            file_sha256=checked.sha256,
            created_by=_user(principal) if not principal.is_api_client else None,
            api_client=principal.api_client,
            enterprise=only[0] if len(only) == 1 else None,
        )
        uploaded.seek(0)
        job.file.save(f"{job.pk}.{checked.format}", uploaded, save=False)
        job.save()
        audit.record(
            "contracts.import_started",
            job,
            after={
                "file_name": name,
                "file_sha256": checked.sha256,
                "size": checked.size,
                "format": checked.format,
            },
            only_changes=False,
        )
        if queue:
            enqueue_on_commit("contracts.run_import", str(job.pk))
    return job


def import_principal(job):
    """Who the job files as: the user who uploaded it, or the API client."""
    from apps.core.principal import principal_for_api_client, principal_for_user

    if job.api_client_id:
        return principal_for_api_client(job.api_client)
    if job.created_by_id and job.created_by.is_active:
        return principal_for_user(job.created_by)
    raise NotAllowed(_("The account that started this import no longer exists or is inactive."))


def run_import(job_id) -> str:
    """The body of `contracts.run_import`: file the job's rows in chunks of `importing.CHUNK_SIZE`
    through `file_batch`, saving the progress, counts and report after each chunk (its own short
    transaction, so a page polling the job sees it move). Idempotent: a finished (done or failed)
    job is left as it is; a job found running (its worker died) starts again, and the rows filed
    meanwhile count as already filed. Any exception marks the job failed with the reason and is
    logged; the rows filed before it stay filed (importing the file again files the rest)."""
    import logging

    from apps.core.context import acting_as

    from .models import ImportJob

    J = ImportJob.Status
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (J.DONE, J.FAILED):
            return job.status if job else "missing"
        job.status = J.RUNNING
        job.started_at, job.finished_at = timezone.now(), None
        job.total_rows = job.processed_rows = job.created_count = job.unchanged_count = job.error_count = 0
        job.report, job.error = [], ""
        job.save()
    try:
        principal = import_principal(job)
        with acting_as(principal.label, user=job.created_by if not principal.is_api_client else None):
            _run_import(job, principal)
    except Exception as exc:
        if isinstance(exc, DomainError):
            message = str(exc)
        else:
            logging.getLogger(__name__).exception("contract import %s failed", job.pk)
            message = _(
                "The import stopped on an unexpected error (%(error)s). The rows filed so far are kept; "
                "upload the file again to file the rest."
            ) % {"error": type(exc).__name__}
        ImportJob.objects.filter(pk=job.pk).update(
            status=J.FAILED, error=message, finished_at=timezone.now(), updated_at=timezone.now()
        )
        _import_finished(job, J.FAILED)
        return J.FAILED
    _import_finished(job, J.DONE)
    return J.DONE


def _run_import(job, principal) -> None:
    from django.db import IntegrityError

    from . import importing
    from .models import ImportJob

    report: list[dict] = []
    counts = {"processed_rows": 0, "created_count": 0, "unchanged_count": 0, "error_count": 0}
    with job.file.open("rb") as fh, importing.open_import(fh, job.file_name) as source:
        total = source.scan()
        report.extend(
            {"row": source.header_row, "field": column, "reason": _("Unknown column, ignored.")}
            for column in source.unknown[:50]
        )
        ImportJob.objects.filter(pk=job.pk).update(total_rows=total, report=report, updated_at=timezone.now())
        for chunk in source.chunks(importing.CHUNK_SIZE):
            files = source.files_for(chunk)
            errors: list[RowError] = [RowError(r.number, f, m) for r in chunk for f, m in r.problems]
            todo = [r for r in chunk if not r.problems]
            result = BatchResult()
            if todo:
                rows = [r.data for r in todo]
                try:
                    result = file_batch(
                        principal, rows, source=LabourContract.Source.IMPORT, files=files, first_row=0
                    )
                except IntegrityError:
                    # Another import filed the same platform record meanwhile: once more, it is now
                    # "already filed".
                    result = file_batch(
                        principal, rows, source=LabourContract.Source.IMPORT, files=files, first_row=0
                    )
                errors.extend(RowError(todo[e.row].number, e.field, e.reason) for e in result.errors)
            errors.sort(key=lambda e: e.row)
            counts["processed_rows"] += len(chunk)
            counts["created_count"] += len(result.created)
            counts["unchanged_count"] += result.unchanged
            counts["error_count"] += len({e.row for e in errors})
            room = REPORT_LIMIT - len(report)
            if room > 0:
                report.extend(e.as_dict() for e in errors[:room])
            with transaction.atomic():
                ImportJob.objects.filter(pk=job.pk).update(
                    **counts,
                    total_rows=max(total, counts["processed_rows"]),
                    report=report,
                    updated_at=timezone.now(),
                )
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.DONE,
            total_rows=counts["processed_rows"],
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )


def _import_finished(job, status) -> None:
    """Audit the end of the job and tell the user who started it (in the app, no e-mail)."""
    from django.urls import reverse

    from apps.notifications.services import notify

    from .models import ImportJob

    job = ImportJob.objects.get(pk=job.pk)
    with transaction.atomic():
        audit.record(
            "contracts.import_finished",
            job,
            after={
                "status": status,
                "rows": job.processed_rows,
                "created": job.created_count,
                "unchanged": job.unchanged_count,
                "errors": job.error_count,
            },
            note=job.error[:500],
            only_changes=False,
        )
        if job.created_by_id:

            def title():
                if status != ImportJob.Status.DONE:
                    return _("Import of %(file)s failed") % {"file": job.file_name}
                return _(
                    "Import of %(file)s done: %(created)d filed, %(unchanged)d already filed, "
                    "%(errors)d rows with errors"
                ) % {
                    "file": job.file_name,
                    "created": job.created_count,
                    "unchanged": job.unchanged_count,
                    "errors": job.error_count,
                }

            notify(
                [job.created_by],
                title=title,
                body=job.error,
                link=reverse("contracts:import_detail", args=[job.pk]),
                email=False,
            )
