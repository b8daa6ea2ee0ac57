"""一括取込: concluded guarantees from a surety's core system, as one CSV.

The whole file is validated first (types, required values, the business
rules of rules.check_terms with each orderer's adoption of electronic
delivery, duplicates within the file and against the database, unknown
parties). If any line is bad, nothing is imported and the report names
every bad line, column and reason. Otherwise every guarantee, its
certificate version 1, its access key (電子交付) and its audit entry are
written in one transaction.

100,000 lines must import in well under two minutes, so the writes are
bulk inserts and the lookups are done once per file, not once per line.
"""

from esurety.guarantees.imports.batches import (
    SYNC_BYTE_LIMIT,
    SYNC_LINE_LIMIT,
    import_batch_process,
    import_batch_upload,
    import_batches_process_pending,
    imports_for_staff,
    line_count,
    runs_in_request,
)
from esurety.guarantees.imports.columns import (
    COLUMN_NAMES,
    COLUMNS,
    MAX_CELL_CHARS,
    MAX_FILE_BYTES,
    Column,
    decode,
    parse_date,
    parse_yen,
    template_csv,
)
from esurety.guarantees.imports.validation import LineError, Row, Validation, import_validate
from esurety.guarantees.imports.writing import ImportConflict

__all__ = [
    "COLUMNS",
    "COLUMN_NAMES",
    "MAX_CELL_CHARS",
    "MAX_FILE_BYTES",
    "SYNC_BYTE_LIMIT",
    "SYNC_LINE_LIMIT",
    "Column",
    "ImportConflict",
    "LineError",
    "Row",
    "Validation",
    "decode",
    "import_batch_process",
    "import_batch_upload",
    "import_batches_process_pending",
    "import_validate",
    "imports_for_staff",
    "line_count",
    "parse_date",
    "parse_yen",
    "runs_in_request",
    "template_csv",
]
