"""Incremental sync on every list of the API, and a 400 for any query parameter an endpoint does
not take.

Every list (each viewset on `ScopedViewMixin`) accepts:

- `updated_since`: an ISO 8601 date and time **with its offset** (`2026-03-01T08:00:00+08:00`,
  `2026-03-01T00:00:00Z`): only the rows whose `updated_at` is at or after it. Anything else (no
  offset, a date alone, junk) is a 400 naming the parameter.
- `ordering=updated_at` / `-updated_at` (besides each list's own orderings): by (`updated_at`,
  `id`).
- `?cursor=` (every list, not only those with an order of their own): keyset pages of up to 1,000
  rows. With `ordering=updated_at` the keyset is (`updated_at`, `id`): each page is "the rows after
  the last one I saw", so a row inserted or updated during the walk gets an `updated_at` later than
  the cursor and is met again at the end of the walk; no row is skipped and none repeats unless it
  changed. (With `-updated_at` an updated row moves to the *front*, behind the walk: use the
  ascending order to sync.) Without `ordering`, the cursor walks the list's own keyset
  (`keyset_ordering`, e.g. contracts by start), or (`updated_at`, `id`) where the list declares
  none; another `ordering` with a cursor is a 400 (a cursor cannot walk an arbitrary order).

One caveat, and why a pull starts a little before the last `updated_at` it saw: `updated_at` is
set when the row is saved, not when its transaction commits. A row written by a transaction still
open while the walk passes its `updated_at` becomes visible later with that earlier `updated_at`.
A next pull with `updated_since` = (the last `updated_at` seen − a few minutes) catches it; rows
seen twice are replaced by the newer copy (upsert by `id`). Deletions are not rows: they come from
the event feed.

Unknown parameters: a parameter an endpoint does not take is a 400 naming it (it used to be
ignored silently, so a typo or an unsupported filter returned the whole list). An endpoint takes
`format`; a list also the filters of its FilterSet (range filters with their suffixes), `search`
and `ordering` where its filter backends read them, the pagination's `page`, `page_size`,
`cursor` and `before`, and `updated_since`; any endpoint also the query parameters declared on it
with `extend_schema(parameters=...)`, and those a view lists in `extra_query_params` (a set, or a
dict by action) for parameters read some other way.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter, SearchFilter

UPDATED_SINCE = "updated_since"
ORDERING = "ordering"
CURSOR = "cursor"
#: `?ordering=` values every list takes: by (`updated_at`, `id`), the primary key last so that the
#: order is total (the index `(updated_at, id)` serves both directions). Without another
#: `keyset_ordering`, that is also what `?cursor=` walks.
SYNC_ORDERINGS = ("updated_at", "-updated_at")
#: Taken by every endpoint (DRF's format override).
ALWAYS_KNOWN = frozenset({"format"})
#: The pagination's parameters besides those the paginator names (`before`: the `previous` link).
PAGINATION_EXTRA = frozenset({"before"})

UNKNOWN_PARAMETER = _("Unknown parameter: this endpoint does not take it. It takes: %(known)s.")
NOT_A_DATETIME = _(
    "Send an ISO 8601 date and time with its offset, e.g. 2026-03-01T08:00:00Z or "
    "2026-03-01T16:00:00+08:00 (in an address, percent-encode the plus sign)."
)
CURSOR_ORDERING = _(
    "A cursor walks the list in its own order or by update time: send `ordering=updated_at` "
    "(or `-updated_at`), or leave `ordering` out."
)
UNKNOWN_ORDERING = _("Not a field this list can be sorted by: %(allowed)s.")
ONLY_SYNC_ORDERING = _("This list sorts only by update time: send updated_at or -updated_at.")

#: A `+08:00` offset sent without percent-encoding arrives as a space: `...T08:00:00 08:00`.
_SPACED_OFFSET = re.compile(r"^(.*[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")


# The parameters ------------------------------------------------------------------------------------

#: The column that tells when a row last changed, by preference: rows that never change once
#: written (an audit event) use their creation time. A view may name another (`sync_field`).
SYNC_FIELDS = ("updated_at", "occurred_at", "created_at")
NO_SYNC_FIELD = _("This list has no time of change to filter or sort by.")


def sync_field(view) -> str | None:
    """The column `updated_since` and `ordering=updated_at` read on `view`'s rows."""
    declared = getattr(view, "sync_field", None)
    if declared:
        return declared
    model = getattr(view, "model", None)
    if model is None:
        return None
    names = {f.name for f in model._meta.concrete_fields}
    return next((name for name in SYNC_FIELDS if name in names), None)


def _ordering_value(params) -> str | None:
    values = params.getlist(ORDERING) if hasattr(params, "getlist") else [params.get(ORDERING)]
    if len(values) != 1 or values[0] is None:
        return None
    value = values[0].strip()
    return value if value in SYNC_ORDERINGS else None


def sync_keyset(params, field: str = "updated_at") -> tuple[str, ...] | None:
    """The keyset of `?ordering=updated_at` or `-updated_at` (on `field`), else None (the list's
    own ordering)."""
    value = _ordering_value(params)
    if value is None:
        return None
    return (field, "pk") if value == "updated_at" else (f"-{field}", "-pk")


def updated_since(params):
    """The aware datetime of `?updated_since=`, None when absent; 400 naming it when malformed."""
    if UPDATED_SINCE not in params:
        return None
    values = params.getlist(UPDATED_SINCE) if hasattr(params, "getlist") else [params[UPDATED_SINCE]]
    raw = (values[-1] or "").strip()
    spaced = _SPACED_OFFSET.match(raw)
    if spaced:
        raw = f"{spaced[1]}+{spaced[2]}"
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    if len(values) != 1 or value is None or value.tzinfo is None:
        raise ValidationError({UPDATED_SINCE: [NOT_A_DATETIME]})
    try:
        # In UTC: PostgreSQL refuses offsets beyond ±15:59 that Python parses (`+20:06`).
        return value.astimezone(dt.UTC)
    except (OverflowError, ValueError) as exc:  # year 1 minus an offset
        raise ValidationError({UPDATED_SINCE: [NOT_A_DATETIME]}) from exc


def without_sync_ordering(params):
    """The query parameters as a FilterSet reads them: without `ordering=updated_at` (not one of
    its own orderings; `apply` orders by it)."""
    if _ordering_value(params) is None:
        return params
    params = params.copy()
    params.pop(ORDERING, None)
    return params


def apply(queryset, params, field: str | None = "updated_at"):
    """`queryset` narrowed by `updated_since` and ordered by `ordering=updated_at` if asked, on
    `field` (None: the list has no time of change, and asking for either is a 400)."""
    since = updated_since(params)
    asked = _ordering_value(params)
    if field is None:
        if since is not None or asked is not None:
            raise ValidationError({UPDATED_SINCE if since is not None else ORDERING: [NO_SYNC_FIELD]})
        return queryset
    if since is not None:
        queryset = queryset.filter(**{f"{field}__gte": since})
    keyset = sync_keyset(params, field)
    if keyset is not None:
        queryset = queryset.order_by(*keyset)
    return queryset


def keyset_ordering(view, request) -> tuple[str, ...]:
    """What `?cursor=` walks (apps.api.pagination): (`updated_at`, `id`) when asked, else the
    view's `keyset_ordering`, else (`updated_at`, `id`). Another `ordering` with a cursor is a 400:
    a keyset walks one fixed order."""
    params = request.query_params
    field = sync_field(view)
    keyset = sync_keyset(params, field) if field else None
    if keyset is not None:
        return keyset
    if params.get(ORDERING):
        raise ValidationError({ORDERING: [CURSOR_ORDERING]})
    declared = getattr(view, "keyset_ordering", None)
    if declared:
        return tuple(declared)
    return (field, "pk") if field else ("-pk",)


class _FilterRequest:
    """The request as the filter backends see it: the same, but without `ordering=updated_at`
    (the FilterSets' ordering choices do not list it; `apply` orders by it after them)."""

    def __init__(self, request):
        self._wrapped = request
        self.query_params = without_sync_ordering(request.query_params)

    def __getattr__(self, name):
        return getattr(self._wrapped, name)


def _sorts_itself(view, request) -> bool:
    """Whether something besides this module reads `?ordering=` on `view`'s list: its FilterSet,
    DRF's OrderingFilter, or a parameter the endpoint declares itself."""
    key = (type(view), "sorts-itself")
    if key not in _KNOWN_CACHE:
        sorts = ORDERING in _declared_in_schema(view, request.method)
        for backend in view.filter_backends:
            if issubclass(backend, OrderingFilter):
                sorts = True
            elif issubclass(backend, DjangoFilterBackend):
                sorts = sorts or ORDERING in _filterset_params(backend, view)
        extra = getattr(view, "extra_query_params", ()) or ()
        if isinstance(extra, dict):
            extra = {*extra.get("list", ()), *extra.get("*", ())}
        _KNOWN_CACHE[key] = sorts or ORDERING in extra
    return _KNOWN_CACHE[key]


def _refuse_unknown_drf_ordering(view, queryset, request) -> None:
    """DRF's OrderingFilter drops a field it does not know and sorts by the default: say so."""
    for backend in view.filter_backends:
        if not issubclass(backend, OrderingFilter):
            continue
        raw = request.query_params.get(backend.ordering_param)
        if not raw or _ordering_value(request.query_params):
            continue
        instance = backend()
        allowed = [name for name, _label in instance.get_valid_fields(queryset, view, {"request": request})]
        terms = [term.strip() for term in raw.split(",")]
        if any(term.lstrip("-") not in allowed for term in terms):
            shown = ", ".join(sorted({*allowed, *SYNC_ORDERINGS}))
            raise ValidationError({backend.ordering_param: [UNKNOWN_ORDERING % {"allowed": shown}]})


# Unknown parameters --------------------------------------------------------------------------------

_KNOWN_CACHE: dict = {}


def _filterset_params(backend, view) -> set[str]:
    model = getattr(view, "model", None)
    queryset = model._default_manager.none() if model is not None else None
    filterset_class = backend().get_filterset_class(view, queryset)
    if filterset_class is None:
        return set()
    names = set()
    for name, declared in filterset_class.base_filters.items():
        widget = declared.extra.get("widget") or getattr(declared.field_class, "widget", None)
        suffixes = getattr(widget, "suffixes", None)
        if suffixes:  # a range: `name_min` / `name_max`, `name_after` / `name_before`...
            names.update(f"{name}_{suffix}" if suffix else name for suffix in suffixes)
        else:
            names.add(name)
    return names


def _declared_in_schema(view, method: str) -> set[str]:
    """The query parameters declared on the endpoint with `extend_schema(parameters=...)`
    (OpenApiParameter in the query, or a serializer whose fields are query parameters)."""
    action = getattr(view, "action", None)
    handler = getattr(view, action, None) if action else getattr(view, method.lower(), None)
    # The method's `extend_schema` and the class's (drf-spectacular combines both).
    schema_classes = [getattr(handler, "kwargs", {}).get("schema") if handler is not None else None]
    on_class = next((k.__dict__["schema"] for k in type(view).__mro__ if "schema" in k.__dict__), None)
    schema_classes.append(type(on_class) if on_class is not None else None)
    declared = []
    for schema_class in filter(None, schema_classes):
        try:
            schema = schema_class()
            schema.view = view
            schema.method = method
            declared += list(schema.get_override_parameters())
        except Exception:  # noqa: BLE001, S112 - a schema that cannot be read here declares nothing
            continue
    names = set()
    for parameter in declared:
        if isinstance(parameter, type) or hasattr(parameter, "fields"):
            serializer = parameter() if isinstance(parameter, type) else parameter
            names.update(serializer.fields)
        elif getattr(parameter, "location", "query") == "query" and not getattr(parameter, "exclude", False):
            names.add(parameter.name)
    return names


def known_query_params(view, request) -> frozenset[str]:
    action = getattr(view, "action", None)
    key = (type(view), action, request.method)
    if key in _KNOWN_CACHE:
        return _KNOWN_CACHE[key]
    known = set(ALWAYS_KNOWN)
    extra = getattr(view, "extra_query_params", ()) or ()
    if isinstance(extra, dict):
        extra = {*extra.get(action, ()), *extra.get("*", ())}
    known.update(extra)
    known.update(_declared_in_schema(view, request.method))
    if action == "list":
        known.update({UPDATED_SINCE, ORDERING})
        paginator = view.paginator
        if paginator is not None:
            for attribute in ("page_query_param", "page_size_query_param", "cursor_query_param"):
                name = getattr(paginator, attribute, None)
                if name:
                    known.add(name)
            known.update(PAGINATION_EXTRA)
        for backend in view.filter_backends:
            if issubclass(backend, DjangoFilterBackend):
                known.update(_filterset_params(backend, view))
            elif issubclass(backend, SearchFilter) and getattr(view, "search_fields", None):
                known.add(backend.search_param)
            elif issubclass(backend, OrderingFilter):
                known.add(backend.ordering_param)
    _KNOWN_CACHE[key] = frozenset(known)
    return _KNOWN_CACHE[key]


def refuse_unknown_parameters(view, request) -> None:
    """400 naming each query parameter the endpoint does not take."""
    known = known_query_params(view, request)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        shown = ", ".join(sorted(known)) or "-"
        raise ValidationError({name: [UNKNOWN_PARAMETER % {"known": shown}] for name in unknown})


# The mixin -----------------------------------------------------------------------------------------


class IncrementalSyncMixin:
    """Part of `ScopedViewMixin`: unknown query parameters are refused on every endpoint; a list
    takes `updated_since` and `ordering=updated_at`, whatever its filter backends."""

    #: Query parameters the view reads other than through its FilterSet, pagination or
    #: `extend_schema(parameters=...)`: a set, or a dict {action: set} ("*" for every action).
    extra_query_params: set | dict = frozenset()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        refuse_unknown_parameters(self, request)

    def filter_queryset(self, queryset):
        request = self.request
        if getattr(self, "action", None) != "list":
            for backend in list(self.filter_backends):
                queryset = backend().filter_queryset(request, queryset, self)
            return queryset
        _refuse_unknown_drf_ordering(self, queryset, request)
        asked = request.query_params.get(ORDERING)
        # `ordering` that nothing but this module reads: not silently ignored.
        if asked and not _ordering_value(request.query_params) and not _sorts_itself(self, request):
            raise ValidationError({ORDERING: [ONLY_SYNC_ORDERING]})
        seen = _FilterRequest(request) if _ordering_value(request.query_params) else request
        for backend in list(self.filter_backends):
            queryset = backend().filter_queryset(seen, queryset, self)
        return apply(queryset, request.query_params, sync_field(self))


# The schema ----------------------------------------------------------------------------------------

UPDATED_SINCE_DOC = (
    "Only the rows changed (or created) at or after this moment: an ISO 8601 date and time with "
    "its offset (`2026-03-01T08:00:00Z`, `2026-03-01T16:00:00%2B08:00`); without one, a 400. For "
    "an incremental pull: `ordering=updated_at&cursor=` with `updated_since` a few minutes before "
    "the last `updated_at` of the previous pull (rows seen twice: keep the newer). Deletions come "
    "from the event feed."
)
ORDERING_DOC = (
    "`updated_at` / `-updated_at` on every list: by (`updated_at`, `id`). With `cursor`, only "
    "these (or no `ordering`: the list's own order)."
)


def endpoints(generator):
    """(path, method, view) of every operation of the schema being generated (drf-spectacular's
    generator keeps its endpoints; the path is the schema's key)."""
    return [(path, method, view) for path, _regex, method, view in generator._get_paths_and_endpoints()]


def document_sync(result, endpoints) -> None:
    """`updated_since` and the `updated_at` orderings on every list of the schema (`endpoints`:
    `endpoints(generator)`; the cursor is the pagination's)."""
    paths = result.get("paths", {})
    for path, method, view in endpoints:
        operation = paths.get(path, {}).get(method.lower())
        if operation is None or method != "GET" or getattr(view, "action", None) != "list":
            continue
        if not isinstance(view, IncrementalSyncMixin) or sync_field(view) is None:
            continue
        parameters = operation.setdefault("parameters", [])
        names = {p.get("name") for p in parameters if p.get("in") == "query"}
        if UPDATED_SINCE not in names:
            parameters.append(
                {
                    "in": "query",
                    "name": UPDATED_SINCE,
                    "required": False,
                    "description": UPDATED_SINCE_DOC,
                    "schema": {"type": "string", "format": "date-time"},
                }
            )
        ordering = next((p for p in parameters if p.get("in") == "query" and p.get("name") == ORDERING), None)
        if ordering is None:
            parameters.append(
                {
                    "in": "query",
                    "name": ORDERING,
                    "required": False,
                    "description": ORDERING_DOC,
                    "schema": {"type": "string", "enum": list(SYNC_ORDERINGS)},
                }
            )
        else:
            schema = ordering.setdefault("schema", {"type": "string"})
            enum = schema.get("enum") if "enum" in schema else schema.get("items", {}).get("enum")
            if enum is not None:
                enum.extend(value for value in SYNC_ORDERINGS if value not in enum)
            description = ordering.get("description", "")
            ordering["description"] = f"{description}\n\n{ORDERING_DOC}".strip()
        parameters.sort(key=lambda p: p.get("name", ""))  # drf-spectacular's order
