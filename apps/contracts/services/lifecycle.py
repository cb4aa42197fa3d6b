"""The lifecycle of a filed contract: the filing of its termination, the daily expiry and the
verification of the stored signed file (status changes through `workflow.WORKFLOW`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.audit.history import transition
from apps.core.cache import figures_changed
from apps.core.errors import DomainError
from apps.core.principal import SYSTEM

from .. import importing, rules, selectors
from ..models import ESignature, LabourContract
from ..workflow import WORKFLOW

logger = logging.getLogger(__name__)


@transaction.atomic
def terminate(principal, contract: LabourContract, *, terminated_on, reason: str) -> LabourContract:
    """File the termination of a contract (the filing date is today; a filing later than the
    policy's working days is shown as late: `selectors.termination_filing`). Terminated contracts
    are kept at least 2 years (art. 50)."""
    errors = []
    today = timezone.localdate()
    day = importing.parse_date(terminated_on, "terminated_on", errors)
    if day is None and not errors:
        errors.append(("terminated_on", _("Enter the date the contract ended.")))
    if day is not None:
        if day > today:
            errors.append(("terminated_on", _("File a termination once it has happened.")))
        elif day < contract.start:
            errors.append(("terminated_on", _("The contract cannot end before it started.")))
    if errors:
        raise DomainError(errors[0][1], fields={f: [r] for f, r in errors})
    terminated = transition(
        contract,
        WORKFLOW,
        "terminate",
        principal,
        reason=reason,
        changes={
            "terminated_on": day,
            "termination_reason": (reason or "").strip()[:300],
            "termination_filed_on": today,
            # Decided now, with the policy in effect on the day it ended: lists read it back.
            "termination_filing_due": rules.termination_filing(day, today, selectors.policies()).due,
        },
    )
    figures_changed(*selectors.topics_of([terminated]))  # totals, book and group
    return terminated


def expire_contracts(today: dt.date | None = None) -> dict:
    """Daily: contracts in force whose end has passed expire (those renewed are already marked).
    Each contract expires in its own transaction: one that cannot (its status changed meanwhile,
    the table refuses it, the database fails on it) is logged and counted, and the others still
    expire. Returns {"expired": n, "failed": n}."""
    today = today or timezone.localdate()
    expired = failed = 0
    enterprises = set()
    for contract in selectors.due_to_expire(today):
        try:
            with transaction.atomic():
                transition(contract, WORKFLOW, "expire", SYSTEM)
        except DomainError as exc:
            failed += 1
            logger.warning("contract %s not expired: %s", contract.pk, exc)
        except Exception:
            failed += 1
            logger.exception("contract %s not expired", contract.pk)
        else:
            expired += 1
            enterprises.add(contract.enterprise_id)
    if expired:
        figures_changed(
            "contracts",
            *(selectors.book_topic(e) for e in enterprises),
            *selectors.group_topics(enterprises),
        )
    return {"expired": expired, "failed": failed}


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
