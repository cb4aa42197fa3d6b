"""Thin tasks of the watch list: the daily recompute of every enterprise (beat) and the debounced
recompute of the enterprises a write named (services.queue_recompute)."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="risk.recompute_all")
def recompute_all() -> dict:
    return services.recompute(timezone.localdate())


@shared_task(name="risk.recompute_enterprises")
def recompute_enterprises(enterprise_ids: list[str]) -> dict:
    return services.recompute_enterprises(enterprise_ids)
