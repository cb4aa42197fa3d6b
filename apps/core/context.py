"""Per-request context (request id, the current HttpRequest) in context variables.

Set by middleware, read by audit and logging. Celery tasks and management commands run without a
request; they may set an actor explicitly with `acting_as`.
"""

import contextvars
from contextlib import contextmanager

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
request_var: contextvars.ContextVar = contextvars.ContextVar("request", default=None)
actor_override_var: contextvars.ContextVar = contextvars.ContextVar("actor_override", default=None)


def current_request_id() -> str:
    return request_id_var.get()


def current_request():
    return request_var.get()


@contextmanager
def acting_as(label: str, user=None):
    """Attribute writes outside a request (task, command) to a user or a system label."""
    token = actor_override_var.set((user, label))
    try:
        yield
    finally:
        actor_override_var.reset(token)
