import re
import uuid

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from .calendar import overrides_read_once
from .context import request_id_var, request_var

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Give every request an id (or keep a well-formed X-Request-ID from the proxy), expose it on
    the response and in logs and audit events. The request is also one unit of work for the
    calendar: its override table is read at most once (`calendar.overrides_read_once`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = rid
        token_id = request_id_var.set(rid)
        token_req = request_var.set(request)
        try:
            with overrides_read_once():
                response = self.get_response(request)
        finally:
            request_id_var.reset(token_id)
            request_var.reset(token_req)
        response["X-Request-ID"] = rid
        return response


class DefaultChineseLocaleMiddleware(LocaleMiddleware):
    """Pages are in Simplified Chinese unless the user chose English with the language switch
    (cookie). Browsers' Accept-Language is ignored for pages, because park staff often use
    browsers set to English; the API still honours Accept-Language for district systems."""

    def process_request(self, request):
        if request.path.startswith("/api/"):
            return super().process_request(request)
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if code not in {c for c, _ in settings.LANGUAGES}:
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()
        return None


class QueryCountHeaderMiddleware:
    """Benchmarks only (`config.settings.benchmark`): the number of database queries a request
    ran, in the `X-Query-Count` response header, so the benchmark can check it from outside."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.db import connection

        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Query-Count"] = str(count)
        return response
