"""The OpenAPI document of /api/v1 tells every status code an operation can answer.

Operations declare their own refusals beside their answers (`response={200: X,
**refusals(409)}`); what follows from the shape of an operation is added here once for
all of them, so that no operation forgets one:

    every operation           503 (the database or a registry unavailable for a moment)
    with parameters or body   422 (a field that is not valid, named)
    with a body               400 (not JSON), 413 (too large)
    with a path parameter     404 (nothing by that code or number)
    behind a token            401 (no token, or a bad one), 403 (not for this role or
                              device; a page's session without its CSRF token)
    that writes (POST, DELETE) 404 (what it names, in its path or body, does not exist),
                              409 (not allowed in the present state), 429 (too many)

Every error answer is a problem (RFC 9457) as `application/problem+json`.
"""

from http import HTTPStatus

from ninja import NinjaAPI
from ninja.openapi.schema import REF_TEMPLATE

from onestop.problems import ProblemOut

PROBLEM = "application/problem+json"
WRITES = {"post", "put", "patch", "delete"}


def refusals(*statuses: int) -> dict[int, type[ProblemOut]]:
    """Error answers of one operation, for its `response=` beside the answers it gives."""
    return dict.fromkeys(statuses, ProblemOut)


def statuses_of(method: str, operation: dict) -> set[int]:
    """The error statuses that follow from the operation's shape (see the module's doc)."""
    found = {503}
    parameters = operation.get("parameters", [])
    if parameters or "requestBody" in operation:
        found.add(422)
    if "requestBody" in operation:
        found |= {400, 413}
    if any(p["in"] == "path" for p in parameters) or method in WRITES:
        found.add(404)
    if operation.get("security"):
        found |= {401, 403}
    if method in WRITES:
        found |= {409, 429}
    return found


def document_problems(document: dict) -> dict:
    schema = ProblemOut.model_json_schema(ref_template=REF_TEMPLATE)
    document["components"]["schemas"].update(schema.pop("$defs", {}))
    document["components"]["schemas"]["ProblemOut"] = schema
    problem = {PROBLEM: {"schema": {"$ref": REF_TEMPLATE.format(model="ProblemOut")}}}
    for operations in document["paths"].values():
        for method, operation in operations.items():
            responses = operation["responses"]
            declared = {int(code) for code in responses if int(code) >= 400}
            for status in sorted(declared | statuses_of(method, operation)):
                responses[status] = {"description": HTTPStatus(status).phrase, "content": problem}
                if status in (429, 503):
                    responses[status]["headers"] = {
                        "Retry-After": {
                            "description": "seconds to wait before trying again",
                            "schema": {"type": "integer"},
                        }
                    }
    return document


class OnestopAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_problems(document)
        return document
