"""Every write of the end of a guarantee. Each function is one atomic step."""

from esurety.claims.services.common import Upload
from esurety.claims.services.completion import guarantee_complete
from esurety.claims.services.filing import ClaimInput, claim_add_documents, claim_file
from esurety.claims.services.refunds import guarantee_cancel_with_refund
from esurety.claims.services.review import (
    claim_assess,
    claim_decide,
    claim_record_payment,
    claim_request_documents,
)

__all__ = [
    "ClaimInput",
    "Upload",
    "claim_add_documents",
    "claim_assess",
    "claim_decide",
    "claim_file",
    "claim_record_payment",
    "claim_request_documents",
    "guarantee_cancel_with_refund",
    "guarantee_complete",
]
