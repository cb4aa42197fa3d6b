"""Writes of labour-contract filing, one function per named action, by topic:

- `filing`: filing in batches (`file_batch`: pages, the API and the signing platform's import all
  go through it) and one contract (`file_contract` / `file_one`), which also renews the contracts
  they follow and corrects a filed contract that a row repeats with other values (issue 15);
- `lifecycle`: the termination, the daily expiry, the verification of a signed file;
- `imports`: the import jobs of the signing platform's exports (start, run, finish);
- `alerts`: the daily alerts to enterprise HR;
- `books`: the book per enterprise (一户一册) as a PDF, queued for Celery (`request_book_pdf`);
- `retention`: uploads deleted when their job ends, and the hourly purge of what is left.

Every row is checked by `rules.check` with the worker's other contracts at the same employer and
the policy in effect; refusals are reported per row and field (nothing of the row is written),
flags are stored on the contract. A batch is written in one transaction with bulk inserts (COPY
on PostgreSQL), a few queries whatever its size, so a large import runs at thousands of rows a
second (`manage.py benchmark_contract_import`, docs/performance.md).

Reads live in `selectors`, "may X?" in `workflow`, the law in `rules`, the filing format
(`COLUMNS`, `parse_row`) and the reading of files in `importing`. A test that replaces a function
patches the topic module that calls it (e.g. `services.imports.file_batch`).
"""

from .alerts import send_contract_alerts
from .books import BOOK_KIND, EXPORT_COLUMNS, request_book_pdf
from .filing import ROW_STATUSES, BatchResult, RowError, RowOutcome, file_batch, file_contract, file_one
from .imports import import_principal, run_import, start_import
from .lifecycle import expire_contracts, terminate, verify_signed_file
from .recovery import requeue_stuck_imports
from .retention import purge_import_file, purge_import_files

__all__ = [
    "BOOK_KIND",
    "EXPORT_COLUMNS",
    "ROW_STATUSES",
    "BatchResult",
    "RowError",
    "RowOutcome",
    "expire_contracts",
    "file_batch",
    "file_contract",
    "file_one",
    "import_principal",
    "requeue_stuck_imports",
    "purge_import_file",
    "purge_import_files",
    "request_book_pdf",
    "run_import",
    "send_contract_alerts",
    "start_import",
    "terminate",
    "verify_signed_file",
]
