"""The contract list's rows, read as values and written as the `Contract` schema says, for bulk
pulls at district scale (issue 15: a full pull at 5,000 rows/s or more).

`ContractOutSerializer` documents the list's answer and serializes one contract (the detail).
For a page of up to 1,000 contracts DRF's machinery was most of the cost: a nested serializer built
per row, a field lookup per attribute, a translation per label (about 260 rows/s on the district
data set). Here a page is one `.values()` query (no model instances) and each row is a dict built
by a function per column, prepared once per request: labels translated once, dates, times and
amounts formatted as DRF formats them. `tests/contracts/test_api_rows.py` checks every row equals
the serializer's output, so the two cannot drift apart.

A list never shows an ID number in full (PIPL art. 28, as `ContractOutSerializer.shows_full_number`):
the masked number, no birth date or sex, no phone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import models
from rest_framework import serializers

from apps.core.personal_data import mask_id_number

from ..models import ESignature, LabourContract
from .serializers import ContractOutSerializer, ESignatureOutSerializer

#: Labels shown beside their codes (`kind_label`...), as `get_<field>_display` gives them.
LABELLED = ["kind", "hours_system", "signing", "status"]
#: The order of the keys in a row: the serializer's.
ORDER = list(ContractOutSerializer.Meta.fields)
#: Keys built from more than one column (the others are the contract's own columns).
COMPOSED = {"enterprise", "worker", "esignature", *(f"{name}_label" for name in LABELLED)}
PLAIN = [name for name in ORDER if name not in COMPOSED]
ENTERPRISE = ["enterprise_id", "enterprise__name", "enterprise__uscc"]
WORKER = ["worker__name", "worker__id_number"]
#: The evidence's keys, in the serializer's order; `has_file` is read from the file's name.
SIGNATURE_KEYS = list(ESignatureOutSerializer.Meta.fields)
SIGNATURE_COLUMNS = [name for name in SIGNATURE_KEYS if name != "has_file"]
SIGNATURE = ["esignature__id", "esignature__file", *(f"esignature__{name}" for name in SIGNATURE_COLUMNS)]
#: Every value a page reads: one query, the list's keyset columns included (they are table columns).
VALUES = [*PLAIN, *ENTERPRISE, *WORKER, *SIGNATURE]


def _formatter(field: models.Field) -> Callable:
    """How DRF's field for this model field writes a value (None stays None)."""
    if isinstance(field, models.DateTimeField):
        drf = serializers.DateTimeField()
    elif isinstance(field, models.DateField):
        drf = serializers.DateField()
    elif isinstance(field, models.DecimalField):
        drf = serializers.DecimalField(max_digits=field.max_digits, decimal_places=field.decimal_places)
    elif isinstance(field, models.UUIDField):
        drf = serializers.UUIDField()
    else:
        return lambda value: value
    return lambda value: None if value is None else drf.to_representation(value)


def _formatters(model, names: Iterable[str]) -> dict[str, Callable]:
    return {name: _formatter(model._meta.get_field(name)) for name in names}


def values(queryset):
    """The list's queryset read as the values a page needs (paginate this, then `represent`)."""
    return queryset.select_related(None).values(*VALUES)


def represent(rows: Iterable[dict]) -> list[dict]:
    """The rows of one page as the `Contract` schema says (the list's shape: numbers masked)."""
    contract = _formatters(LabourContract, PLAIN)
    signature = _formatters(ESignature, SIGNATURE_COLUMNS)
    labels = {
        name: {value: str(label) for value, label in LabourContract._meta.get_field(name).flatchoices}
        for name in LABELLED
    }
    uuid = serializers.UUIDField().to_representation
    out = []
    for row in rows:
        item = {name: format_(row[name]) for name, format_ in contract.items()}
        for name in LABELLED:
            value = row[name]
            item[f"{name}_label"] = labels[name].get(value, value)
        item["enterprise"] = {
            "id": uuid(row["enterprise_id"]),
            "name": row["enterprise__name"],
            "uscc": row["enterprise__uscc"],
        }
        item["worker"] = {
            "name": row["worker__name"],
            "id_number": mask_id_number(row["worker__id_number"]),
            "id_number_full": False,
            "phone": None,
        }
        if row["esignature__id"] is None:
            item["esignature"] = None
        else:
            evidence = {name: format_(row[f"esignature__{name}"]) for name, format_ in signature.items()}
            evidence["has_file"] = bool(row["esignature__file"])
            item["esignature"] = {key: evidence[key] for key in SIGNATURE_KEYS}
        out.append({key: item[key] for key in ORDER})
    return out
