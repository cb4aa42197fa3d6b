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
from apps.core import personal_data
from apps.core.calendar import add_working_days
from apps.core.errors import DomainError, NotAllowed
from apps.core.services import transition
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
    if kind and kind not in rules.Kind.values:
        errors.append(("kind", _("Use one of: %(values)s.") % {"values": ", ".join(rules.Kind.values)}))
    hours_system = _text(row["hours_system"], 20) or rules.HoursSystem.STANDARD
    signing = _text(row["signing"], 20) or LabourContract.Signing.PAPER
    if signing not in LabourContract.Signing.values:
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
    hashes = {personal_data.lookup_hash(r["worker_id_number"]) for _, r in parsed}
    with transaction.atomic():
        workers = {w.id_number_hash: w for w in Worker.objects.filter(id_number_hash__in=hashes)}
        esign_keys = {(r["platform"], r["record_id"]) for _, r in parsed if r["record_id"]}
        filed_keys = set()
        if esign_keys:
            platforms = {p for p, _r in esign_keys}
            records = {r for _p, r in esign_keys}
            filed_keys = set(
                ESignature.objects.filter(platform__in=platforms, record_id__in=records).values_list(
                    "platform", "record_id"
                )
            )
        priors: dict[tuple, list[LabourContract]] = defaultdict(list)
        if workers:
            existing = LabourContract.objects.filter(
                worker__in=[w.pk for w in workers.values()],
                enterprise__in=[e.pk for e in enterprises.values()],
            )
            for contract in existing:
                priors[(contract.worker_id, contract.enterprise_id)].append(contract)
        policies = list(ContractPolicy.objects.all())
        new_workers: dict[str, Worker] = {}
        contracts, signatures, renewed = [], [], []
        batch_priors: dict[tuple, list[rules.Prior]] = defaultdict(list)
        for number, row in parsed:
            key = (row["platform"], row["record_id"])
            if row["record_id"] and (key in filed_keys):
                result.unchanged += 1
                continue
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
            id_hash = personal_data.lookup_hash(row["worker_id_number"])
            worker = workers.get(id_hash) or new_workers.get(id_hash)
            worker_key = (id_hash, enterprise.pk)
            existing_priors = priors.get((worker.pk, enterprise.pk), []) if worker else []
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
                filed_keys.add(key)
            # A contract that ends the day before this one starts is renewed by it.
            for previous in existing_priors:
                if (
                    previous.status in (S.IN_FORCE, S.EXPIRED)
                    and previous.end
                    and (row["start"] - previous.end).days == 1
                ):
                    renewed.append(previous)
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


def _system_or(principal):
    """Renewal follows from the filing the principal made; API clients and HR may renew."""
    from apps.accounts.principal import SYSTEM

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
    with every field's reason; an already filed (platform, record id) is returned as it is."""
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
    return (
        ESignature.objects.select_related("contract")
        .get(platform=row.get("platform"), record_id=row.get("record_id"))
        .contract
    )


# Lifecycle -----------------------------------------------------------------------------------------


def termination_filing_due(contract: LabourContract) -> dt.date | None:
    """[POLICY] The last day to file a termination: N working days after it (7 by default)."""
    if contract.terminated_on is None:
        return None
    policy = current_policy(contract.terminated_on)
    days = policy.termination_filing_days if policy else 7
    return add_working_days(contract.terminated_on, days).date


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
    from apps.accounts.principal import SYSTEM

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
    signature = ESignature.objects.select_for_update().get(contract=contract)
    if not signature.file:
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
