"""What the applicant may upload: PDF, JPEG or PNG, up to ONESTOP_MAX_UPLOAD_MB (10 MB).

The type is read from the file's first bytes, not from the name or the browser's word, and
the name's extension must agree with it: a program renamed "scan.pdf" is refused, and so is
a PDF named "photo.png", which would open in the wrong program on a reviewer's machine.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from onestop.problems import DomainError, InvalidField
from onestop.validation import validate_line

SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
NAME_EXTENSIONS = {
    "application/pdf": ("pdf",),
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
}


def _name_must_end_in(content_type: str) -> str:
    if content_type == "application/pdf":
        return _("This file is a PDF: its name must end in .pdf.")
    if content_type == "image/jpeg":
        return _("This file is a JPEG image: its name must end in .jpg or .jpeg.")
    return _("This file is a PNG image: its name must end in .png.")


class FileTooLarge(DomainError):
    status = 413

    def __init__(self, field: str, limit_mb: int):
        message = _("The file is larger than %(limit)d MB.") % {"limit": limit_mb}
        super().__init__(
            message,
            errors=[{"field": field, "code": "file_too_large", "message": message}],
            code="file-too-large",
        )


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes
    for_document: int | None = None  # position of the standard's document it answers

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def content_type_of(upload: Upload, *, field: str) -> str:
    """The checked type of an upload; raises FileTooLarge or InvalidField."""
    if len(upload.name) > 300:
        raise InvalidField(f"{field}.name", "too_long", _("This value is too long."))
    try:
        validate_line(upload.name)
    except ValidationError as error:
        raise InvalidField(f"{field}.name", "control_character", error.messages[0]) from None
    limit = settings.MAX_UPLOAD_MB
    if len(upload.content) > limit * 1024 * 1024:
        raise FileTooLarge(field, limit)
    if not upload.content:
        raise InvalidField(field, "empty_file", _("The file is empty."))
    content_type = next(
        (kind for kind, prefixes in SIGNATURES.items() if upload.content.startswith(prefixes)),
        None,
    )
    if content_type is None:
        raise InvalidField(field, "unsupported_file_type", _("Upload a PDF, JPEG or PNG file."))
    _stem, dot, extension = upload.name.rpartition(".")
    if not dot or extension.lower() not in NAME_EXTENSIONS[content_type]:
        raise InvalidField(f"{field}.name", "extension_mismatch", _name_must_end_in(content_type))
    return content_type
