"""`Idempotency-Key`: a creating request retried with the same key gets the first answer.

A client that lost the answer to a timeout sends the request again with the same header;
the platform answers as it did the first time (same status, same body, and
`Idempotent-Replayed: true`) and creates nothing more. Keys are per caller (an account or
a device) and kept for IDEMPOTENCY_KEY_HOURS. The same key with another body (or for
another operation) is a 409 naming the header; so is a retry while the first request is
still under way. Only a successful answer is kept: after a refusal the key is free again.

    @router.post("/applications", response={201: ApplicationOut})
    @idempotent
    def file_application(request, payload: ApplicationIn): ...

The key is reserved, under a unique constraint, before the operation runs, so concurrent
requests with one key create once. A request that dies between its creation and keeping
its answer leaves the key reserved until it expires: a retry then gets a 409, never a
second creation.
"""

import datetime
import functools
import hashlib
import json
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.decorators import decorate_view
from ninja.utils import contribute_operation_callback

from onestop.operations.models import IdempotencyKey
from onestop.problems import Conflict, InvalidField

HEADER = "Idempotency-Key"
MAX_LENGTH = 255

OPENAPI_PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH},
    "description": (
        "A key of the client's choosing (a UUID), the same for every retry of one request. "
        "The same key with the same body returns the first answer, with "
        "`Idempotent-Replayed: true`, and creates nothing more; with another body, or while "
        "the first request is still under way, 409. Keys are kept for "
        "ONESTOP_IDEMPOTENCY_KEY_HOURS (24 h by default), per account or device."
    ),
}


def idempotent(view: Callable) -> Callable:
    """Makes a creating API operation accept `Idempotency-Key` (see the module's text)."""

    @functools.wraps(view)
    def reserve_then_run(request: HttpRequest, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view(request, *args, **kwargs)
        reserved = reserve(
            caller=caller_of(request), key=_checked(key), fingerprint=fingerprint(request)
        )
        if isinstance(reserved, HttpResponse):
            return reserved
        request.idempotency_key = reserved  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    decorate_view(_keep_answer)(reserve_then_run)
    contribute_operation_callback(reserve_then_run, _document)
    return reserve_then_run


def _keep_answer(run: Callable) -> Callable:
    """Around the rendered operation: keeps a successful answer, frees the key otherwise."""

    @functools.wraps(run)
    def run_and_keep(request: HttpRequest, *args, **kwargs):
        response = run(request, *args, **kwargs)
        reserved = getattr(request, "idempotency_key", None)
        if reserved is not None:
            keep(reserved, response)
        return response

    return run_and_keep


def _document(operation) -> None:
    extra = operation.openapi_extra or {}
    extra.setdefault("parameters", []).append(OPENAPI_PARAMETER)
    operation.openapi_extra = extra


def caller_of(request: HttpRequest) -> str:
    """Whose keys these are: the account, or the device (a kiosk)."""
    from onestop.queueing.models import Device

    caller = request.auth  # type: ignore[attr-defined]
    kind = "device" if isinstance(caller, Device) else "user"
    return f"{kind}:{caller.pk}"


def _checked(key: str) -> str:
    if not 0 < len(key) <= MAX_LENGTH or not key.isascii() or not key.isprintable():
        raise InvalidField(
            HEADER,
            "invalid_idempotency_key",
            _("The Idempotency-Key header takes 1 to 255 printable ASCII characters."),
        )
    return key


def fingerprint(request: HttpRequest) -> str:
    """What makes two requests the same: the operation and the body (as JSON, so that the
    order of its keys and its spacing do not count)."""
    try:
        body = json.dumps(json.loads(request.body), sort_keys=True, ensure_ascii=False)
    except ValueError:
        body = request.body.decode("utf-8", "replace")
    what = f"{request.method} {request.path}\n{body}"
    return hashlib.sha256(what.encode()).hexdigest()


def lifetime() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)


def reserve(*, caller: str, key: str, fingerprint: str) -> IdempotencyKey | HttpResponse:
    """Reserves the key for this request, or answers for it: the first answer again, or a
    409 when the key was used with another body or its first request is under way."""
    for _attempt in range(3):
        now = timezone.now()
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(
                    caller=caller, key=key, fingerprint=fingerprint, created_at=now
                )
        except IntegrityError:
            pass
        earlier = IdempotencyKey.objects.filter(caller=caller, key=key).first()
        if earlier is None:
            continue  # freed meanwhile
        if earlier.created_at < now - lifetime():
            IdempotencyKey.objects.filter(pk=earlier.pk, created_at=earlier.created_at).delete()
            continue
        if earlier.fingerprint != fingerprint:
            message = _(
                "This Idempotency-Key was used with another request; send a new key "
                "for a new request."
            )
            raise Conflict(
                message,
                code="idempotency-key-reused",
                errors=[{"field": HEADER, "code": "idempotency_key_reused", "message": message}],
            )
        if earlier.status is None:
            break
        response = HttpResponse(
            earlier.body, status=earlier.status, content_type=earlier.content_type
        )
        response["Idempotent-Replayed"] = "true"
        return response
    message = _("A request with this Idempotency-Key is still under way; ask again in a moment.")
    error = Conflict(
        message,
        code="idempotency-key-in-use",
        errors=[{"field": HEADER, "code": "idempotency_key_in_use", "message": message}],
    )
    error.retry_after = 1  # type: ignore[attr-defined]
    raise error


def keep(reserved: IdempotencyKey, response) -> None:
    """Keeps a successful answer under the key; after a refusal the key is free again."""
    if 200 <= response.status_code < 300:
        IdempotencyKey.objects.filter(pk=reserved.pk).update(
            status=response.status_code,
            content_type=response.get("Content-Type", "application/json"),
            body=response.content.decode("utf-8"),
        )
    else:
        IdempotencyKey.objects.filter(pk=reserved.pk).delete()


def forget_expired(*, now: datetime.datetime | None = None) -> int:
    """Deletes the keys past their lifetime; returns how many."""
    now = now or timezone.now()
    deleted, _counts = IdempotencyKey.objects.filter(created_at__lt=now - lifetime()).delete()
    return deleted
