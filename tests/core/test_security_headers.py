"""Content-Security-Policy and Permissions-Policy (issue 14, finding 6; docs/security.md).

Every response carries both headers, and no page needs 'unsafe-inline': no inline <script>, no
<style> element, no style="" attribute, no on...="" handler and no javascript: URL, in any template
served to browsers (PDF templates, rendered by WeasyPrint only, may keep their styles) and in the
HTML of every page reached by following links as each role.
"""

import re
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse

from apps.core.middleware import CONTENT_SECURITY_POLICY
from tests.page_data import build_park

ROOT = Path(settings.BASE_DIR)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.I)
HANDLER_ATTRIBUTE = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def inline_findings(html: str) -> list[str]:
    found = []
    for name, pattern in [
        ("inline script", INLINE_SCRIPT),
        ("style attribute", STYLE_ATTRIBUTE),
        ("style element", STYLE_ELEMENT),
        ("event handler attribute", HANDLER_ATTRIBUTE),
        ("javascript: URL", JS_URL),
    ]:
        for match in pattern.finditer(html):
            found.append(f"{name}: {html[max(0, match.start() - 40) : match.end() + 40]!r}")
    return found


def browser_templates() -> list[Path]:
    """Every template a browser may receive: all but the PDF ones (WeasyPrint only)."""
    paths = list((ROOT / "templates").rglob("*.html")) + list((ROOT / "apps").glob("*/templates/**/*.html"))
    return [p for p in paths if "/pdf/" not in str(p) and not p.name.endswith("_pdf.html")]


def test_the_policy_is_the_one_documented():
    assert CONTENT_SECURITY_POLICY == (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
    )
    assert "unsafe" not in CONTENT_SECURITY_POLICY


def test_no_template_served_to_browsers_needs_unsafe_inline():
    templates = browser_templates()
    assert len(templates) > 100
    problems = {
        str(p.relative_to(ROOT)): inline_findings(re.sub(r"\{#.*?#\}", "", p.read_text())) for p in templates
    }
    assert {path: found for path, found in problems.items() if found} == {}


def test_pdf_templates_are_only_rendered_for_pdfs():
    """The templates allowed to keep inline styles are named only where a PDF is made."""
    users = []
    for source in (ROOT / "apps").rglob("*.py"):
        text = source.read_text()
        for match in re.finditer(r"[\"'](\w+/pdf/[\w/]+\.html)[\"']", text):
            line = text[: match.start()].rsplit("\n", 2)[-2:]
            users.append((str(source.relative_to(ROOT)), match.group(1), " ".join(line)))
    assert users
    for source, template, context in users:
        assert "render(" not in context and "TemplateResponse" not in context, (source, template)
    pdf_templates = list((ROOT / "apps").glob("*/templates/**/pdf/*.html"))
    for template in pdf_templates:
        # No page extends or includes a PDF template.
        name = str(template).split("/templates/", 1)[1]
        for page in browser_templates():
            assert name not in page.read_text(), (page, name)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/accounts/login/",
        "/verify/HX-NONE",
        "/no-such-page/",
        "/api/v1/me/",
        "/healthz",
        "/certification/public/notice/",
    ],
)
def test_every_kind_of_response_carries_both_headers(client, path):
    response = client.get(path)
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


SKIP_PREFIXES = ("/accounts/logout", "/admin/", "/media/", "/static/", "/i18n/", "/api/")
SKIP_SUFFIXES = (".pdf", ".xlsx", ".csv", "/pdf/", "/xlsx/", "/csv/", "/download/", "/export/")
MAX_PAGES = 120


def crawl(client, start="/") -> dict[str, int]:
    """Follow every same-site link from `start` (GET only, downloads skipped); check each page."""
    seen, queue, statuses = {start}, deque([start]), {}
    while queue and len(statuses) < MAX_PAGES:
        path = queue.popleft()
        response = client.get(path)
        statuses[path] = response.status_code
        assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
        assert response.get("Permissions-Policy"), path
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        assert inline_findings(html) == [], path
        for href in re.findall(r'href="([^"#]+)"', html):
            parts = urlsplit(href.replace("&amp;", "&"))
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query and "page=" not in parts.query else "")
            if link.startswith(SKIP_PREFIXES) or parts.path.endswith(SKIP_SUFFIXES) or link in seen:
                continue
            seen.add(link)
            queue.append(link)
    return statuses


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "hr", "union_official", "mediator", "inspector"])
def test_crawl_of_every_page_a_role_reaches(client, role):
    park = build_park()
    client.force_login(park[role])
    statuses = crawl(client)
    print(f"\n{role}: {len(statuses)} pages crawled")  # the figure in docs/security.md
    assert len(statuses) >= 5, statuses
    assert all(code < 500 for code in statuses.values()), statuses
    if role == "admin":
        # The pages that carried inline scripts or styles before are among those crawled.
        for name in ["unions:figures", "certification:figures", "mediation:figures", "mediation:create"]:
            assert reverse(name) in statuses, name


@pytest.mark.django_db
def test_public_pages_have_nothing_inline(client):
    build_park()
    for path in [reverse("certification:public_notice"), reverse("mediation:apply"), "/accounts/login/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert inline_findings(response.content.decode()) == [], path


@pytest.mark.django_db
def test_swagger_ui_has_nothing_inline_and_serves_its_script(client, park_admin):
    client.force_login(park_admin)
    html = client.get(reverse("api-docs")).content.decode()
    assert inline_findings(html) == []
    assert 'src="/api/docs/?script="' in html or "?script=" in html
    script = client.get(reverse("api-docs") + "?script=")
    assert script.status_code == 200 and "javascript" in script["Content-Type"]
    assert "SwaggerUIBundle" in script.content.decode()


def test_a_pdf_gets_the_permissions_policy_but_no_csp(rf):
    """Chromium's PDF viewer would be blocked by `object-src 'none'` on the PDF itself."""
    from django.http import HttpResponse

    from apps.core.middleware import SecurityHeadersMiddleware

    pdf = SecurityHeadersMiddleware(lambda r: HttpResponse(b"%PDF-1.4", content_type="application/pdf"))(
        rf.get("/")
    )
    assert "Content-Security-Policy" not in pdf and "camera=()" in pdf["Permissions-Policy"]
    page = SecurityHeadersMiddleware(lambda r: HttpResponse(b"<p>x</p>"))(rf.get("/"))
    assert page["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
