"""The JSON edge of the audit trail: its signed checkpoints and the certificate that signs
them, public so that anyone outside the platform can keep copies.

Public rather than for auditors only: a checkpoint holds a count, a hash and a time, no
personal data and nothing about any event, and an anchor is worth more the more places
outside the platform hold a copy of it (journalists, the audit office, other agencies).
What it reveals, the number of changes a minute across the country, the open statistics
publish already.
"""

import datetime

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from onestop.audit.checkpoints import Checkpoint
from onestop.audit.models import AuditCheckpoint
from onestop.pagination import Page
from onestop.problems import NotFound

router = Router(tags=["audit"])


class CheckpointOut(Schema):
    length: int = Field(..., description="Events in the trail: the last sequence number.")
    hash: str = Field(..., description="The last event's hash (SHA-256, hexadecimal).")
    at: datetime.datetime
    certificate: str = Field(
        ..., description="Serial number (hexadecimal) of the certificate that signed it."
    )
    statement: str = Field(..., description="The exact text signed, UTF-8.")
    signature: str = Field(
        ..., description="ECDSA P-256 signature of the statement with SHA-256, DER, base64."
    )

    @staticmethod
    def resolve_statement(row: AuditCheckpoint) -> str:
        return Checkpoint.of(row).statement


@router.get(
    "/audit/checkpoints",
    auth=None,
    response=list[CheckpointOut],
    summary="Signed checkpoints of the audit trail, newest first",
)
@paginate(Page)
def list_checkpoints(request):
    """Public: each checkpoint signs the trail's length and last hash at a moment."""
    return AuditCheckpoint.objects.order_by("-length")


PEM = {
    "responses": {
        200: {
            "description": "The audit certificate, then the issuing CA's certificate.",
            "content": {"application/x-pem-file": {"schema": {"type": "string"}}},
        },
        404: {"description": "No audit certificate has this serial number."},
    }
}


@router.get(
    "/audit/certificate",
    auth=None,
    summary="The certificate that signs the audit trail's checkpoints",
    openapi_extra=PEM,
)
def audit_certificate(request, serial: str = ""):
    """Public: the current audit certificate, or the one with this serial number, followed
    by the issuing CA that issued it (the root is at GET /signatures/ca)."""
    from onestop.signatures import services as signatures
    from onestop.signatures.models import Authority

    if serial:
        authority = (
            Authority.objects.filter(kind=Authority.Kind.AUDIT, serial=serial.lower())
            .select_related("issuer")
            .first()
        )
        if authority is None:
            raise NotFound(_("There is no audit certificate with this serial number."))
    else:
        authority = signatures.audit_certificate()
    chain = [authority.certificate_pem.strip()]
    if authority.issuer is not None:
        chain.append(authority.issuer.certificate_pem.strip())
    response = HttpResponse("\n".join(chain) + "\n", content_type="application/x-pem-file")
    response["Cache-Control"] = "public, max-age=3600"
    return response
