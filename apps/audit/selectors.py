import re

from apps.core.personal_data import mask_id_number

from .models import AuditEvent


def events_visible_to(principal):
    return AuditEvent.objects.visible_to(principal).select_related("actor", "api_client")


def events_for_object(principal, object_type: str, object_id: str):
    return events_visible_to(principal).filter(object_type=object_type, object_id=object_id)


# --- The audit API (issue 15) ------------------------------------------------------------------

#: Events about these objects are never served by the API: a reporter's identity is confidential
#: (劳动保障监察条例 art. 9) and never leaves the inspection pages, not even through the trail.
API_HIDDEN_OBJECT_TYPES = ("inspection.reporter",)

#: An 18-character resident ID number (GB 11643-1999), alone or inside a text: masked wherever it
#: appears in what the API serves of an event.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def events_for_api(principal):
    """The events the audit API serves to `principal` (AuditEvent.visible_to: park administrators,
    and API clients with `audit:read` and no area restriction), without confidential objects. No
    join: the API names actors by their label and ids."""
    return AuditEvent.objects.visible_to(principal).exclude(object_type__in=API_HIDDEN_OBJECT_TYPES)


def masked_snapshot(data):
    """A before/after snapshot with every ID number masked (`4502**********1048`): values under a
    key naming an ID number, and any string shaped like one. Full numbers come only from their
    object's detail, each view audited; never from the trail."""
    if isinstance(data, dict):
        return {
            key: mask_id_number(str(value)) if "id_number" in str(key) and value else masked_snapshot(value)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [masked_snapshot(item) for item in data]
    if isinstance(data, str):
        return mask_id_numbers_in(data)
    return data


def mask_id_numbers_in(text: str) -> str:
    """`text` with every ID number in it masked (a note, an object's name, a snapshot's value)."""
    return _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text) if text else text


def changed_fields(event: AuditEvent) -> list[str]:
    """The names of the fields an event's snapshots carry, without their values."""
    keys = set()
    for snapshot in (event.before, event.after):
        if isinstance(snapshot, dict):
            keys |= set(snapshot)
    return sorted(keys)
