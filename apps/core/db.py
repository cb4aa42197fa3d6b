"""Reads for reports, exports and API bulk pulls can go to a PostgreSQL replica.

Set `DATABASE_REPLICA_URL` and the settings add a `replica` database; `for_reports(queryset)`
then reads that queryset (and the related rows it loads) from the replica, so long exports and
bulk pulls do not compete with the pages and writes on the primary. Without it everything reads
the primary. Only reads that may lag a little behind the primary (streaming replication) use it:
never a read that decides a write.
"""

from django.conf import settings
from django.db.models import QuerySet

REPLICA = "replica"


def replica_enabled() -> bool:
    return bool(getattr(settings, "DATABASE_REPLICA_ENABLED", False)) and REPLICA in settings.DATABASES


def for_reports(queryset: QuerySet) -> QuerySet:
    """`queryset` read from the replica when one is configured, else unchanged."""
    return queryset.using(REPLICA) if replica_enabled() else queryset


class ReplicaRouter:
    """Writes and migrations always go to `default`; reads go to `default` unless a queryset was
    explicitly sent to the replica (`for_reports`). Objects of both are the same rows."""

    def db_for_read(self, model, **hints):
        instance = hints.get("instance")
        if instance is not None and instance._state.db:
            return instance._state.db  # related rows of a replica row come from the replica too
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return {obj1._state.db, obj2._state.db} <= {"default", REPLICA, None}

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
