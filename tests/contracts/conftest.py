"""Fixtures for contract filing: a filing row builder and the default policy."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest

from apps.contracts.models import ContractPolicy
from apps.core.personal_data import with_check_character
from apps.core.principal import principal_for_user


def p(user):
    return principal_for_user(user)


def id_number(seed: int = 1, birth: str = "19900307") -> str:
    return with_check_character(f"450205{birth}{seed % 1000:03d}")


@pytest.fixture
def policy(db):
    """The default policy of migration 0002 (rebuilt if a transactional test flushed it)."""
    return ContractPolicy.objects.get_or_create(
        effective_from=dt.date(2022, 4, 1),
        defaults={"monthly_minimum_wage": Decimal("1990"), "hourly_minimum_wage": Decimal("20.1")},
    )[0]


def row(enterprise, n: int = 1, **extra) -> dict:
    """A clean fixed-term filing row for worker n at `enterprise`."""
    data = {
        "enterprise_uscc": enterprise.uscc,
        "worker_name": f"工人{n}",
        "worker_id_number": id_number(n),
        "worker_phone": f"1380771{n:04d}",
        "contract_number": f"HT-{n:05d}",
        "kind": "fixed_term",
        "employment_start": "2026-01-01",
        "start": "2026-01-01",
        "end": "2028-12-31",
        "probation_end": "2026-03-31",
        "job": "装配工",
        "workplace": "柳东新区车园路 1 号",
        "monthly_pay": "4500",
        "signed_on": "2026-01-01",
    }
    data.update(extra)
    return data


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def esign(n, data=PDF, **extra) -> dict:
    """The e-signature columns of a row whose signed file is `data` (record id LQ-n, file n.pdf)."""
    return {
        "signing": "e_signature",
        "platform": "乐签",
        "record_id": f"LQ-{n}",
        "employer_signed_at": "2026-01-01T09:00:00+08:00",
        "worker_signed_at": "2026-01-01T09:05:00+08:00",
        "timestamp_authority": "国家授时中心",
        "timestamp_token": "MIIB...",
        "file_sha256": hashlib.sha256(data).hexdigest(),
        "file_name": f"{n}.pdf",
        **extra,
    }
