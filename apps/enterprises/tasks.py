from celery import shared_task

from apps.accounts.models import User
from apps.core.context import acting_as
from apps.core.principal import principal_for_user

from . import importing


@shared_task(name="enterprises.confirm_import", acks_late=True, time_limit=30 * 60, soft_time_limit=29 * 60)
def confirm_import_task(batch_id: str, user_id: str) -> str:
    """Write a confirmed Excel import in one transaction, as the administrator who confirmed it.
    Idempotent: only a batch still marked "being written" is processed."""
    user = User.objects.get(pk=user_id)
    with acting_as(user.get_username(), user=user):
        return importing.run_confirm(principal_for_user(user), batch_id)


@shared_task(name="enterprises.requeue_stuck_imports", acks_late=True)
def requeue_stuck_imports() -> int:
    """Queue again the confirmations a dead worker left "being written" (importing)."""
    return importing.requeue_stuck_confirmations()
