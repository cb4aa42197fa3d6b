"""Figures that would cost a scan of a large table on every page, computed once and kept until the
data behind them changes.

A figure is cached under its *topic* (e.g. "contracts"): the services that write the topic's rows
call `figures_changed("contracts")` in their transaction, which bumps the topic's generation
after the commit, so the next page computes the figure again: **correct after a write**. A time
limit (`timeout`) also bounds how long a figure may lag behind writes that bypass the services
(a bulk load, a data migration).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import transaction

#: How long a figure is kept at most (seconds), whatever happens.
DEFAULT_TIMEOUT = 10 * 60


def _generation_key(topic: str) -> str:
    return f"figures-generation:{topic}"


def _new_generation() -> str:
    """Any value not seen before invalidates: the time and a random part, so two processes moving
    the same topic at once never write the same value."""
    return f"{time.time_ns():x}{secrets.token_hex(3)}"


def figures_changed(*topics: str) -> None:
    """The rows behind these topics changed (call inside the writing transaction): their figures
    are computed again. The generation moves now (the writer's own next read is fresh) and again
    after the commit (a figure another request computed in between, without the uncommitted
    rows, is dropped too). However many topics, one round trip to the cache each time."""
    if not topics:
        return
    keys = [_generation_key(topic) for topic in set(topics)]

    def bump():
        value = _new_generation()
        cache.set_many(dict.fromkeys(keys, value), timeout=None)

    bump()
    transaction.on_commit(bump)


def cached_figures(
    key: str,
    topics: Iterable[str],
    compute: Callable[[], object],
    timeout: int = DEFAULT_TIMEOUT,
    *,
    refresh: bool = False,
):
    """`compute()` once per generation of `topics` (and at most `timeout` seconds old). `key` names
    the figure and everything it depends on besides the topics (e.g. the principal's scope and the
    day). `refresh` computes it again whatever is kept (a job keeping a page's figures warm)."""
    topics = tuple(topics)
    keys = [_generation_key(t) for t in topics]
    full_key = f"figures:{key}"
    # One round trip: the topics' generations and the figure, which is kept with the generations
    # it was computed at; it is used only while they are still the current ones.
    known = cache.get_many([*keys, full_key])
    missing = {k: _new_generation() for k in keys if k not in known}
    if missing:
        cache.set_many(missing, timeout=None)
        known.update(missing)
    versions = tuple(known[k] for k in keys)
    kept = known.get(full_key)
    if kept is not None and kept[0] == versions and not refresh:
        return kept[1]
    value = compute()
    cache.set(full_key, (versions, value), timeout)
    return value


def cached_figures_many(
    entries: dict[str, tuple[str, Iterable[str]]],
    compute: Callable[[list[str]], dict[str, object]],
    timeout: int = DEFAULT_TIMEOUT,
) -> dict[str, object]:
    """Many figures at once, each `name: (key, topics)` as in `cached_figures`: one round trip
    reads them all with their topics' generations, and `compute(names)` runs once, if at all, for
    the names whose figure is missing or stale, returning their values (a name it leaves out is
    None). A figure split into parts with their own topics (the cockpit's signing rate per group
    of enterprises) then recomputes only the parts a write touched."""
    entries = {name: (key, tuple(topics)) for name, (key, topics) in entries.items()}
    generation_keys = {t: _generation_key(t) for _key, topics in entries.values() for t in topics}
    figure_keys = {name: f"figures:{key}" for name, (key, _topics) in entries.items()}
    known = cache.get_many([*generation_keys.values(), *figure_keys.values()])
    missing = {k: _new_generation() for k in generation_keys.values() if k not in known}
    if missing:
        cache.set_many(missing, timeout=None)
        known.update(missing)
    out: dict[str, object] = {}
    stale: dict[str, tuple] = {}
    for name, (_key, topics) in entries.items():
        versions = tuple(known[generation_keys[t]] for t in topics)
        kept = known.get(figure_keys[name])
        if kept is not None and kept[0] == versions:
            out[name] = kept[1]
        else:
            stale[name] = versions
    if stale:
        values = compute(list(stale))
        fresh = {name: values.get(name) for name in stale}
        out.update(fresh)
        cache.set_many({figure_keys[n]: (stale[n], fresh[n]) for n in stale}, timeout)
    return out


def scope_key(principal) -> str:
    """What a principal's figures depend on besides the data: the whole park for administrators,
    else their memberships (or the API client's area). Two principals with the same key see the
    same rows, so they may share a cached figure."""
    if principal.sees_everything:
        return "park"
    if principal.is_api_client:
        return (
            "area:" + ",".join(sorted(str(a) for a in principal.area_ids)) if principal.area_ids else "park"
        )
    text = repr(sorted((str(o), k, r) for o, k, r in principal.memberships))
    return "m:" + hashlib.sha256(text.encode()).hexdigest()[:16]


def invalidate_on_save(model, topics: Callable[[object], Iterable[str]]) -> None:
    """Move the topics of a model's rows on whenever one is saved or deleted, through the model's
    own save (the pages, the admin, the tests' factories). Cache invalidation only: no rule runs
    here. Bulk writes (bulk_create, update) send no signal: the services that use them call
    `figures_changed` themselves."""
    from django.db.models.signals import post_delete, post_save

    def changed(sender, instance, **kwargs):
        figures_changed(*topics(instance))

    uid = f"figures-{model._meta.label_lower}"
    post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid + "-save")
    post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid + "-delete")
