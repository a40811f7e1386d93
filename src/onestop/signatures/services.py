"""The platform's certification authority: creating it, issuing agencies' signing
certificates, signing documents in their name and verifying signatures.

The CA is created on first use, once: the root and the issuing CA are each unique while not
revoked (a database constraint), so a second process that starts at the same moment finds
the first one's CA instead of making its own. Every certificate issued writes an audit event.
"""

import datetime
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.audit import services as audit
from onestop.problems import Conflict
from onestop.signatures import cms, pki, selectors
from onestop.signatures.models import Authority


def _store(
    *,
    kind: str,
    certificate: x509.Certificate,
    key: pki.PrivateKey,
    issuer: Authority | None = None,
    agency=None,
) -> Authority:
    return Authority.objects.create(
        kind=kind,
        agency=agency,
        issuer=issuer,
        subject=certificate.subject.rfc4514_string(),
        serial=pki.serial_hex(certificate),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        certificate_pem=pki.certificate_pem(certificate),
        encrypted_key_pem=pki.encrypt_key(key),
    )


def _issuer(authority: Authority) -> pki.Issuer:
    return pki.Issuer(
        certificate=authority.certificate(), key=pki.decrypt_key(authority.encrypted_key_pem)
    )


def _create_ca(kind: str, make) -> Authority:
    """Stores the CA `make()` returns, unless another process stored one first: then that one."""
    try:
        with transaction.atomic():
            authority = make()
    except IntegrityError:
        existing = selectors.live_ca(kind)
        if existing is None:
            raise
        return existing
    audit.record(
        actor=None,
        action="signatures.ca_created",
        obj=authority,
        data={
            "kind": authority.kind,
            "subject": authority.subject,
            "serial": authority.serial,
            "not_after": authority.not_after,
        },
    )
    return authority


def _platform_ca() -> tuple[Authority, Authority]:
    with transaction.atomic():
        if existing := selectors.platform_ca():
            return existing
        now = timezone.now()

        def make_root() -> Authority:
            key = pki.new_key()
            certificate = pki.root_certificate(key=key, now=now)
            return _store(kind=Authority.Kind.ROOT, certificate=certificate, key=key)

        root = selectors.live_ca(Authority.Kind.ROOT) or _create_ca(Authority.Kind.ROOT, make_root)

        def make_issuing() -> Authority:
            key = pki.new_key()
            certificate = pki.issuing_certificate(key=key, root=_issuer(root), now=now)
            return _store(
                kind=Authority.Kind.ISSUING, certificate=certificate, key=key, issuer=root
            )

        issuing = selectors.live_ca(Authority.Kind.ISSUING) or _create_ca(
            Authority.Kind.ISSUING, make_issuing
        )
        return root, issuing


def ensure_platform_ca() -> None:
    """Creates the root and issuing CAs on first use; afterwards it changes nothing, also
    when several processes call it at once."""
    _platform_ca()


def _agency_certificate(agency) -> Authority:
    if current := selectors.current_agency_certificate(agency):
        return current
    with transaction.atomic():
        _root, issuing = _platform_ca()
        # The issuing CA issues one certificate at a time: the lock makes a second caller
        # wait here and then find the certificate the first one issued.
        issuing = Authority.objects.select_for_update().get(pk=issuing.pk)
        if current := selectors.current_agency_certificate(agency):
            return current
        key = pki.new_key()
        certificate = pki.signer_certificate(
            subject=pki.agency_name(code=agency.code, name=agency.name_kk or agency.name_en),
            key=key,
            issuing=_issuer(issuing),
            now=timezone.now(),
        )
        authority = _store(
            kind=Authority.Kind.AGENCY,
            certificate=certificate,
            key=key,
            issuer=issuing,
            agency=agency,
        )
        audit.record(
            actor=None,
            action="signatures.certificate_issued",
            obj=authority,
            data={
                "agency": agency.code,
                "subject": authority.subject,
                "serial": authority.serial,
                "not_after": authority.not_after,
            },
        )
        return authority


def agency_signer(agency) -> tuple[x509.Certificate, pki.PrivateKey]:
    """The agency's signing certificate and key, issued by the issuing CA on first use and
    again shortly before the current one expires or after it is revoked."""
    authority = _agency_certificate(agency)
    return authority.certificate(), pki.decrypt_key(authority.encrypted_key_pem)


def sign_detached(*, data: bytes, agency) -> bytes:
    """A detached CMS signature (DER, SHA-256) of `data` in the agency's name, carrying the
    agency's and the issuing CA's certificates: the root alone is enough to verify it."""
    authority = _agency_certificate(agency)
    assert authority.issuer is not None
    return cms.sign_detached(
        data=data,
        certificate=authority.certificate(),
        key=pki.decrypt_key(authority.encrypted_key_pem),
        chain=[authority.issuer.certificate()],
    )


def _audit_certificate() -> Authority:
    if current := selectors.current_audit_certificate():
        return current
    with transaction.atomic():
        _root, issuing = _platform_ca()
        # As for agencies: the lock makes a second caller find the first one's certificate.
        issuing = Authority.objects.select_for_update().get(pk=issuing.pk)
        if current := selectors.current_audit_certificate():
            return current
        key = pki.new_key()
        certificate = pki.signer_certificate(
            subject=pki.platform_name(pki.AUDIT_NAME),
            key=key,
            issuing=_issuer(issuing),
            now=timezone.now(),
        )
        authority = _store(
            kind=Authority.Kind.AUDIT, certificate=certificate, key=key, issuer=issuing
        )
        audit.record(
            actor=None,
            action="signatures.certificate_issued",
            obj=authority,
            data={
                "purpose": "audit",
                "subject": authority.subject,
                "serial": authority.serial,
                "not_after": authority.not_after,
            },
        )
        return authority


def audit_certificate() -> Authority:
    """The certificate that signs the audit trail's checkpoints, issued by the issuing CA
    on first use and again shortly before it expires."""
    return _audit_certificate()


def sign_for_audit(data: bytes) -> tuple[bytes, Authority]:
    """A plain ECDSA signature (DER, SHA-256) of `data` with the audit key, and the
    certificate that verifies it: `openssl dgst -sha256 -verify` checks it as it is."""
    authority = _audit_certificate()
    key = pki.decrypt_key(authority.encrypted_key_pem)
    return key.sign(data, ec.ECDSA(hashes.SHA256())), authority


def audit_signature_problem(
    *, data: bytes, signature: bytes, certificate: x509.Certificate, at: datetime.datetime
) -> str:
    """Why `signature` is not the audit key's signature of `data` made at `at`, or "" when
    it is: the certificate must be an audit certificate issued by one of the platform's
    issuing CAs and in force at that moment."""
    issuers = [
        a.certificate()
        for a in Authority.objects.filter(kind=Authority.Kind.ISSUING).defer("encrypted_key_pem")
    ]

    def issued_by(issuer: x509.Certificate) -> bool:
        try:
            certificate.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature):
            return False
        return True

    if not any(issued_by(issuer) for issuer in issuers):
        return "its certificate was not issued by this platform's CA"
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not names or names[0].value != pki.AUDIT_NAME:
        return "its certificate is not the audit trail's"
    if not certificate.not_valid_before_utc <= at <= certificate.not_valid_after_utc:
        return "its certificate was not in force at the checkpoint's time"
    public_key = certificate.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        return "its certificate does not hold an ECDSA key"
    try:
        public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return "the signature does not match"
    return ""


def ca_bundle_pem() -> str:
    """The root and issuing CA certificates as one PEM bundle, root first."""
    root, issuing = _platform_ca()
    return root.certificate_pem.strip() + "\n" + issuing.certificate_pem.strip() + "\n"


def revoke_certificate(*, actor, authority: Authority, reason: str) -> Authority:
    """Marks an agency certificate revoked: signatures made with it no longer verify, and the
    agency gets a new certificate the next time it signs."""
    with transaction.atomic():
        authority = Authority.objects.select_for_update().get(pk=authority.pk)
        if authority.kind != Authority.Kind.AGENCY:
            raise Conflict(
                _("Only a signing certificate can be revoked here."), code="not-revocable"
            )
        if authority.revoked_at is not None:
            raise Conflict(_("This certificate is already revoked."), code="already-revoked")
        authority.revoked_at = timezone.now()
        authority.revocation_reason = reason
        authority.save(update_fields=["revoked_at", "revocation_reason"])
        audit.record(
            actor=actor,
            action="signatures.certificate_revoked",
            obj=authority,
            data={"serial": authority.serial, "reason": reason},
        )
    return authority


@dataclass(frozen=True)
class Signer:
    """Who signed, as the certificate says. Citizens' certificates will add the IIN here."""

    subject: str
    serial: str
    not_after: datetime.datetime
    name: str
    agency: str = ""


@dataclass(frozen=True)
class Verification:
    """The verdict on a signature. `code` is stable for machines, `reason` is for people."""

    valid: bool
    code: str
    reason: str = ""
    revoked: bool = False
    signer: Signer | None = None

    @property
    def signer_subject(self) -> str:
        return self.signer.subject if self.signer else ""

    @property
    def signer_serial(self) -> str:
        return self.signer.serial if self.signer else ""

    @property
    def not_after(self) -> datetime.datetime | None:
        return self.signer.not_after if self.signer else None


def _signer(certificate: x509.Certificate, known: Authority | None) -> Signer:
    def first(oid) -> str:
        values = certificate.subject.get_attributes_for_oid(oid)
        return str(values[0].value) if values else ""

    return Signer(
        subject=certificate.subject.rfc4514_string(),
        serial=pki.serial_hex(certificate),
        not_after=certificate.not_valid_after_utc,
        name=first(NameOID.ORGANIZATION_NAME) or first(NameOID.COMMON_NAME),
        agency=known.agency.code if known is not None and known.agency is not None else "",
    )


def verify_detached(*, data: bytes, signature: bytes) -> Verification:
    """Checks that `signature` is a detached CMS signature of exactly `data`, by a
    certificate that chains to the platform's root, is in force and is not revoked."""
    root, issuing = _platform_ca()
    try:
        status = cms.validate_detached(
            data=data,
            signature=signature,
            trust_roots=[root.certificate()],
            other_certificates=[issuing.certificate()],
        )
    except cms.MalformedSignature:
        return Verification(
            valid=False,
            code="malformed",
            reason=_("This is not a detached CMS signature."),
        )
    certificate = x509.load_der_x509_certificate(status.signing_cert.dump())
    path = [x509.load_der_x509_certificate(c.dump()) for c in (status.validation_path or [])] or [
        certificate
    ]
    known = selectors.by_serials([pki.serial_hex(c) for c in path])
    own = known.get(pki.serial_hex(certificate))
    if own is not None and own.certificate_pem != pki.certificate_pem(certificate):
        own = None
    signer = _signer(certificate, own)
    revoked = status.revoked or any(
        a.revoked_at is not None and a.certificate_pem == pki.certificate_pem(c)
        for c in path
        if (a := known.get(pki.serial_hex(c))) is not None
    )
    now = timezone.now()

    def refused(code: str, reason: str) -> Verification:
        return Verification(valid=False, code=code, reason=reason, revoked=revoked, signer=signer)

    if not status.intact:
        return refused(
            "modified",
            _(
                "The document was changed after it was signed, or the signature is for another document."
            ),
        )
    if not status.valid:
        return refused("bad_signature", _("The signature is damaged."))
    if revoked:
        return refused("revoked", _("The certificate that made this signature was revoked."))
    if not status.trusted:
        if certificate.not_valid_after_utc < now or certificate.not_valid_before_utc > now:
            return refused(
                "expired", _("The certificate that made this signature is not in force.")
            )
        return refused(
            "untrusted", _("The signature was not made with a certificate of this platform.")
        )
    return Verification(valid=True, code="valid", signer=signer)
