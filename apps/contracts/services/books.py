"""The book per enterprise (一户一册) as a PDF, rendered by Celery.

`request_book_pdf` reads the book as the principal sees it (`selectors.book_export`: the figures
and every row of every list, ID numbers masked; the export is audited) into a JSON context and
queues a `GeneratedDocument` (`documents.render`, as the mediation agreement and the inspection
orders): the page shows it pending, then offers the download. Nothing is capped: WeasyPrint lays
out about 100 rows a second, so a book of 1,400 contracts (about 1,750 rows over its lists)
renders in about 18 s in the worker, not while the user waits (docs/performance.md).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import NotAllowed
from apps.documents.models import GeneratedDocument
from apps.documents.services import request_document

from .. import selectors, workflow
from .filing import acting_user

#: The kind of the book's GeneratedDocument (its owner is the enterprise).
BOOK_KIND = selectors.BOOK_PDF_KIND
BOOK_TEMPLATE = "contracts/pdf/book.html"
#: The columns of a list in the exports: (key of selectors._export_row, header).
EXPORT_COLUMNS = (
    ("name", "姓名"),
    ("id_number", "身份证号码"),
    ("reference", "合同编号"),
    ("kind", "合同类型"),
    ("start", "起始日期"),
    ("end", "终止日期"),
    ("signing", "签订方式"),
    ("status", "状态"),
    ("terminated_on", "解除/终止日期"),
    ("termination_filed_on", "解除/终止备案日期"),
    ("flags", "风险提示"),
)


def _text(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def book_pdf_context(export: dict) -> dict:
    """The JSON context of the book's template: the figures and each list's rows as lists of
    texts in the order of `EXPORT_COLUMNS` (compact: a 1,400-contract book is about 240 KB)."""
    book = export["book"]
    enterprise = book["enterprise"]
    keys = [key for key, _header in EXPORT_COLUMNS]
    lists = []
    for item in export["lists"]:
        rows = []
        for row in item["rows"]:
            values = [_text(row[key]) for key in keys]
            values[keys.index("end")] = values[keys.index("end")] or "—"
            rows.append(values)
        lists.append({"key": item["key"], "label": str(item["label"]), "count": item["count"], "rows": rows})
    return {
        "enterprise": {"name": enterprise.name, "uscc": enterprise.uscc},
        "today": export["today"].isoformat(),
        "book": {
            "employees": book["employees"],
            "signing_rate": book["signing_rate"],
            "e_share": book["e_share"],
            "total": book["total"],
        },
        "figures": [{"label": str(f["label"]), "value": f["value"]} for f in export["figures"]],
        "columns": [header for _key, header in EXPORT_COLUMNS],
        "lists": lists,
    }


@transaction.atomic
def request_book_pdf(principal, enterprise) -> GeneratedDocument:
    """Queue the enterprise's book as a PDF (every row; Chinese; ID numbers masked). Who may see
    the book may ask for it (`workflow.can_see_book`: the enterprise's HR, park administrators);
    the export and the request are audited."""
    if not workflow.can_see_book(principal, enterprise):
        raise NotAllowed(_("You may not see this enterprise's contract book."))
    export = selectors.book_export(principal, enterprise, fmt="pdf", today=timezone.localdate())
    return request_document(
        kind=BOOK_KIND,
        title=f"劳动合同备案台账-{enterprise.uscc}-{export['today']:%Y%m%d}",
        template_name=BOOK_TEMPLATE,
        context=book_pdf_context(export),
        owner=enterprise,
        created_by=acting_user(principal),
        language="zh-hans",
    )
