"""Absolute links from the configured site URL (issue 15).

District systems, e-mails, PDFs and QR codes need absolute addresses. They are built from
`settings.SITE_URL` (e.g. https://hr.park.gov.cn), never from the request's Host header: behind a
proxy the Host is an internal name (or whatever the caller sent), and a task or a PDF has no request
at all."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings


def site_url() -> str:
    """The configured site URL, without a trailing slash."""
    return settings.SITE_URL.rstrip("/")


def absolute_url(path: str) -> str:
    """`path` (an absolute path, with its query if any: `/verify/HX2026-A-0001`) on the site URL.
    A value that is already an absolute URL is rebased onto the site URL: its scheme and host are
    replaced, its path and query kept (DRF's pagination builds links from the request)."""
    if not path:
        return site_url() + "/"
    parts = urlsplit(path)
    if parts.scheme or parts.netloc:
        path = urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))
    if not path.startswith("/"):
        path = "/" + path
    return site_url() + path
