from .models import AuditEvent


def events_visible_to(principal):
    return AuditEvent.objects.visible_to(principal).select_related("actor", "api_client")


def events_for_object(principal, object_type: str, object_id: str):
    return events_visible_to(principal).filter(object_type=object_type, object_id=object_id)
