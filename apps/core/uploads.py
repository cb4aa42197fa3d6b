"""Uploaded evidence files (certification evidence, mediation documents...): the type is decided
by the file's content (filetype reads its magic numbers), never by its name or the browser's
claim, and the size is limited before anything is stored."""

from __future__ import annotations

import hashlib

import filetype
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .errors import DomainError

#: MIME type (as detected from content) → what users call it.
DOCUMENT_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (.docx)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel (.xlsx)",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint (.pptx)",
    "application/msword": "Word (.doc)",
    "application/vnd.ms-excel": "Excel (.xls)",
    "application/vnd.ms-powerpoint": "PowerPoint (.ppt)",
}

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def check_upload(uploaded, *, field: str = "file", max_bytes: int = DEFAULT_MAX_BYTES, allowed=None):
    """Return (content_type, sha256, size) of an acceptable upload, or raise a DomainError on
    `field` saying what is wrong (empty, too large, or a type not in `allowed`)."""
    allowed = allowed or DOCUMENT_TYPES
    size = uploaded.size or 0
    if size == 0:
        raise DomainError(_("The file is empty."), field=field)
    if size > max_bytes:
        raise DomainError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
            field=field,
        )
    uploaded.seek(0)
    head = uploaded.read(8192)
    kind = filetype.guess(head)
    mime = kind.mime if kind else ""
    if mime not in allowed:
        raise DomainError(
            _("This file is not one of the accepted types (%(types)s), whatever its name says.")
            % {"types": ", ".join(dict.fromkeys(allowed.values()))},
            field=field,
        )
    digest = hashlib.sha256(head)
    for chunk in iter(lambda: uploaded.read(1024 * 1024), b""):
        digest.update(chunk)
    uploaded.seek(0)
    return mime, digest.hexdigest(), size
