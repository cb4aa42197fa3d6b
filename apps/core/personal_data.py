"""Sensitive personal information (个人信息保护法 / PIPL art. 28: ID numbers are sensitive).

- Validation: resident ID numbers per GB 11643-1999 (check character, birth date) with
  python-stdnum.
- At rest: `EncryptedCharField` stores a Fernet token (AES-128-CBC + HMAC-SHA256), never the
  number. Several keys may be configured (`PERSONAL_DATA_KEYS`, newest first) to rotate keys.
- Look-up and de-duplication: `lookup_hash()` is an HMAC-SHA256 with its own key
  (`PERSONAL_DATA_HASH_KEY`), stored beside the token and indexed.
- Display: `mask_id_number()` everywhere; a full view goes through
  `audit.services.record_sensitive_view` and only for principals allowed to see it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric

#: The standard of resident ID numbers: the 18th character is a check character computed from the
#: first 17 (ISO 7064 MOD 11-2, "X" for 10). Named in docstrings and the API's documentation; the
#: messages a person reads say what to do instead (issue 20: a worker was shown "校验码错误（GB
#: 11643-1999）").
ID_NUMBER_SOURCE = "GB 11643-1999《公民身份号码》"


def _derive(label: str) -> bytes:
    return hashlib.sha256(f"{label}:{settings.SECRET_KEY}".encode()).digest()


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("PERSONAL_DATA_KEYS is empty")
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def fernet() -> MultiFernet:
    keys = tuple(settings.PERSONAL_DATA_KEYS) or (
        base64.urlsafe_b64encode(_derive("personal-data-key")).decode(),
    )
    return _fernet(keys)


def hash_key() -> bytes:
    configured = settings.PERSONAL_DATA_HASH_KEY
    return configured.encode() if configured else _derive("personal-data-hash")


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # wrong key, or the stored value was altered
        raise ValueError("personal data could not be decrypted with the configured keys") from exc


def lookup_hash(value: str) -> str:
    """Keyed hash for look-up and de-duplication (normalised: upper case, no spaces)."""
    normal = ric.compact(value) if value else ""
    return hmac.new(hash_key(), normal.encode(), hashlib.sha256).hexdigest()


def validate_id_number(value: str, today: dt.date | None = None) -> str:
    """The normalised 18-character number, or a ValidationError in the user's language.
    `today` (the caller's day, for a batch of numbers) defaults to the local date.

    Checks the format, the check character and the birth date (GB 11643-1999). The region code is
    not checked: python-stdnum's region table judges a code by the birth date, which refuses real
    numbers (codes older than the table's records, people born before a district was renamed) and
    fails outright on some codes; a region that was valid when the number was issued stays valid."""
    number = ric.compact(value or "")
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a check digit or X."), code="id_format"
        )
    try:
        born = ric.get_birth_date(number)
    except ric.ValidationError:
        born = None
    if born is None or born.year < 1900 or born > (today or timezone.localdate()):
        raise ValidationError(_("The ID number contains an impossible birth date."), code="id_birth_date")
    if number[-1] != ric.calc_check_digit(number):
        # The check character of GB 11643-1999 (ID_NUMBER_SOURCE): most often one digit mistyped.
        raise ValidationError(
            _(
                "This ID number is not valid: please check it and enter it again (its last character, "
                "the check character, does not match the others)."
            ),
            code="id_checksum",
        )
    return number


#: Mainland mobile numbers (11 digits from 13x to 19x) and landlines with their area code.
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def check_phone(value) -> tuple[str, str | None]:
    """The phone number without spaces and brackets, and why it is not a phone number (or None).
    An empty value is returned as it is, without a reason: whether it is required is the caller's
    rule."""
    phone = re.sub(r"[\s()]", "", value if isinstance(value, str) else "")
    if phone and not PHONE_RE.match(phone):
        return phone, _("Enter a mobile number (11 digits) or a landline with its area code.")
    return phone, None


def with_check_character(body: str) -> str:
    """17 digits followed by their check character (GB 11643-1999): for demo data and tests."""
    return body + ric.calc_check_digit(body + "0")


def mask_id_number(value: str) -> str:
    """Keep the first 4 and last 4 characters: 4502**********123X."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def birth_date_and_sex(value: str) -> tuple[dt.date, str]:
    """Birth date and sex ("male"/"female": 17th digit odd/even) from a valid ID number."""
    number = ric.compact(value)
    return ric.get_birth_date(number), ("male" if int(number[16]) % 2 else "female")


#: How long a search by ID number may be followed (its token in the list's address).
SEARCH_TOKEN_MAX_AGE = 60 * 60
_SEARCH_SALT = "personal-data.id-search"


def search_token(value: str) -> str:
    """A search for the worker with this ID number, for a list's address: the keyed hash, signed
    and dated, so that no URL, browser history or access log holds the number (the form that
    takes the number is sent by POST). Raises ValidationError for an invalid number."""
    number = validate_id_number(value)
    return signing.dumps(lookup_hash(number), salt=_SEARCH_SALT, compress=False)


def hash_from_search_token(token: str) -> str | None:
    """The keyed hash a `search_token` carries, or None if it is forged or older than an hour."""
    try:
        value = signing.loads(token, salt=_SEARCH_SALT, max_age=SEARCH_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    return value if isinstance(value, str) and len(value) == 64 else None


class EncryptedCharField(models.TextField):
    """Stores a Fernet token; Python code sees the plain value. Not filterable: look up by the
    companion keyed-hash field instead."""

    description = "Encrypted text"

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value

    def get_lookup(self, lookup_name):
        if lookup_name not in {"isnull"}:
            return None  # an encrypted column cannot be compared: use the hash field
        return super().get_lookup(lookup_name)
