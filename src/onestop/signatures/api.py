"""The JSON edge of the certification authority: its public certificates."""

from django.http import HttpResponse
from ninja import Router

from onestop.signatures import services

router = Router(tags=["signatures"])

PEM_BUNDLE = {
    "responses": {
        200: {
            "description": "The root and issuing CA certificates, root first.",
            "content": {"application/x-pem-file": {"schema": {"type": "string"}}},
        }
    }
}


@router.get(
    "/signatures/ca",
    auth=None,
    summary="The platform's CA certificates as one PEM bundle",
    openapi_extra=PEM_BUNDLE,
)
def ca_bundle(request):
    """Public: anyone can download the trust anchors that verify the platform's signatures."""
    response = HttpResponse(services.ca_bundle_pem(), content_type="application/x-pem-file")
    response["Cache-Control"] = "public, max-age=3600"
    return response
