"""The API's pages: page numbers for browsing, a cursor for deep and bulk reads.

- `?page=` and `?page_size=` (up to 200; more is a 400 naming the limit): page numbers, with
  `count` exact up to 10,000 rows and PostgreSQL's estimate past that (`count_is_estimate: true`);
  no request counts a whole table (apps.core.pagination).
- `?cursor=` (start with `?cursor=` empty, then follow `next`) and `?page_size=` up to 1,000, on
  every list: keyset pages in the view's `keyset_ordering`, or by (`updated_at`, `id`) with
  `ordering=updated_at` or where a view declares none (incremental sync, apps/api/sync.py). Each
  page costs what the first does, and a row inserted or changed during the walk never makes
  another repeat or vanish (by update time, the changed row itself is met again at the end).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from apps.core.db import for_reports
from apps.core.pagination import CountingPaginator, InvalidCursor, KeysetPaginator
from apps.core.urls_helpers import absolute_url

from .sync import keyset_ordering

CURSOR_MAX_PAGE_SIZE = 1000


class DefaultPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = CountingPaginator
    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.keyset_page = None
        # Incremental sync (issue 15): every list walks by cursor, in its keyset or by (updated_at, id).
        if view is not None and self.cursor_query_param in request.query_params:
            return self._paginate_keyset(queryset, request, keyset_ordering(view, request))
        return super().paginate_queryset(queryset, request, view)

    def _paginate_keyset(self, queryset, request, ordering):
        size = self.get_page_size(request, limit=CURSOR_MAX_PAGE_SIZE)
        # Bulk pulls read from the replica when one is configured (apps.core.db).
        paginator = KeysetPaginator(for_reports(queryset), list(ordering), size)
        cursor = request.query_params.get(self.cursor_query_param) or None
        before = request.query_params.get("before") or None
        try:
            self.keyset_page = paginator.page(after=cursor, before=before)
        except InvalidCursor as exc:
            raise ValidationError({self.cursor_query_param: ["Not a cursor of this list."]}) from exc
        return self.keyset_page.object_list

    def get_page_size(self, request, limit=None):
        """`page_size` as asked, up to the list's limit (200, or 1,000 with a cursor). A value
        that is not a whole number from 1 (`null`, `""`, `2.5`, `0`) is a 400 naming the
        parameter, as the schema says (`integer`, minimum 1), not silently the default; so is a
        value above the limit (issue 15: it was capped silently, and a client asking for 1,000 got
        200 rows without knowing why)."""
        if self.page_size_query_param not in request.query_params:
            return self.page_size
        raw = request.query_params[self.page_size_query_param]
        if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
            raise ValidationError({self.page_size_query_param: [_("Send a whole number from 1.")]})
        if limit is None and int(raw) > self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("At most %(max)s rows per page; up to %(cursor_max)s with `cursor`.")
                        % {"max": self.max_page_size, "cursor_max": f"{CURSOR_MAX_PAGE_SIZE:,}"}
                    ]
                }
            )
        if limit is not None and int(raw) > limit:
            raise ValidationError(
                {self.page_size_query_param: [_("At most %(max)s rows per page.") % {"max": f"{limit:,}"}]}
            )
        return int(raw)

    # Absolute URLs (issue 15): `next` and `previous` on the configured SITE_URL, not the request's Host.
    def get_next_link(self):
        link = super().get_next_link()
        return absolute_url(link) if link else None

    def get_previous_link(self):
        link = super().get_previous_link()
        return absolute_url(link) if link else None

    def get_paginated_response(self, data):
        if self.keyset_page is not None:
            page = self.keyset_page
            base = remove_query_param(absolute_url(self.request.get_full_path()), self.page_query_param)
            base = remove_query_param(base, "before")
            following = preceding = None
            if page.next_cursor:
                following = replace_query_param(base, self.cursor_query_param, page.next_cursor)
            if page.previous_cursor:
                preceding = replace_query_param(
                    replace_query_param(base, self.cursor_query_param, ""), "before", page.previous_cursor
                )
            return Response(
                {
                    "count": page.count,
                    "count_is_estimate": page.count_is_estimate,
                    "next": following,
                    "previous": preceding,
                    "results": data,
                }
            )
        return Response(
            {
                "count": self.page.paginator.count,
                "count_is_estimate": self.page.paginator.count_is_estimate,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        described["properties"]["count"]["description"] = (
            "Rows in the list: exact up to 10,000, PostgreSQL's estimate past that."
        )
        described["properties"]["count_is_estimate"] = {
            "type": "boolean",
            "description": "Whether `count` is an estimate (lists of more than 10,000 rows).",
        }
        described["required"] = ["count", "count_is_estimate", "results"]
        return described

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["description"] = (
                    "Rows per page: 50 unless asked, at most 200 with `page` (page numbers), at most "
                    "1,000 with `cursor`; more is a 400 naming the limit, as is a value that is not "
                    "a whole number from 1."
                )
                parameter["schema"]["maximum"] = CURSOR_MAX_PAGE_SIZE
            elif parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
        # Every list has a cursor (incremental sync, issue 15: apps/api/sync.py).
        parameters.append(
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Walk the whole list: send it empty for the first page, then follow "
                "`next`. Pages of up to 1,000 rows (`page_size`), each as fast as the first. The walk "
                "follows the list's own order (without `ordering`), or (`updated_at`, `id`) with "
                "`ordering=updated_at`: a row inserted or updated during the walk is met again at its "
                "end, none is skipped, none repeats unless it changed. Another `ordering` is a 400.",
                "schema": {"type": "string"},
            }
        )
        return parameters
