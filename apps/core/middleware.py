import re
import uuid

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

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


#: The language of API answers (messages, labels, the served schema) when the request's
#: Accept-Language names none of the platform's languages (issue 15: English for API clients).
API_LANGUAGE_CODE = "en"


def api_language(request) -> str:
    """The first of the platform's languages the request's Accept-Language asks for (by quality;
    `zh`, `zh-CN` → Simplified Chinese), else English. The pages' language cookie does not count
    for the API."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, quality in parse_accept_lang_header(header):
        if code == "*":
            break
        if quality <= 0:
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return API_LANGUAGE_CODE


class DefaultChineseLocaleMiddleware(LocaleMiddleware):
    """Pages are in Simplified Chinese unless the user chose English with the language switch
    (cookie). Browsers' Accept-Language is ignored for pages, because park staff often use
    browsers set to English. The API (`/api/`, API keys and sessions alike) answers in English
    unless Accept-Language asks for Chinese (`api_language`)."""

    def process_request(self, request):
        if request.path.startswith("/api/"):
            code = api_language(request)
        else:
            code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            if code not in {c for c, _ in settings.LANGUAGES}:
                code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()


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


#: The Content-Security-Policy of every response (docs/security.md, "Headers"; ADR 0020). Nothing
#: inline: scripts and styles come from the platform's own static files; data from the server
#: reaches scripts through `json_script` blocks (JSON, never executed). `img-src data:` is for
#: Bootstrap's SVG icons (form validation, the navbar toggler) and ECharts' image export.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)
#: Browser features the platform never uses are switched off for it and for anything it embeds.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), "
    "fullscreen=(self), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), "
    "payment=(), picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), "
    "serial=(), usb=(), xr-spatial-tracking=()"
)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response (pages, API, static
    files served by WhiteNoise, errors; PDFs get only the latter, see below). A view that must differ sets its own header first; the
    policy is the setting `CONTENT_SECURITY_POLICY` (default above) so a deployment can tighten
    it without code. Django 6's built-in CSP is not available on 5.2 (ADR 0020)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = getattr(settings, "CONTENT_SECURITY_POLICY", CONTENT_SECURITY_POLICY)
        self.permissions = getattr(settings, "PERMISSIONS_POLICY", PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        # Not on PDFs: Chromium shows a PDF opened in a tab through its viewer plugin, which
        # `object-src 'none'` of the PDF's own response would block; a PDF runs no page script.
        is_pdf = response.get("Content-Type", "").startswith("application/pdf")
        if self.csp and not is_pdf and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.csp
        if self.permissions and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.permissions
        return response
