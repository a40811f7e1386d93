"""Keys and X.509 certificates of the platform's certification authority, without storage.

Keys are ECDSA on NIST P-256 with SHA-256. It gives the security of RSA 3072 (128 bits) with
keys generated in a millisecond rather than in a second, which matters when agencies and,
later, citizens get their keys on first use; signatures and certificates are a tenth of
the size. OpenSSL, pyHanko, Windows and the browsers all verify it; the Kazakh GOST
algorithms are not, so they are left for a signature plugin of their own.

Private keys are kept at rest only as encrypted PKCS#8 PEM. The passphrase is derived from
Django's SECRET_KEY with HKDF, so a copy of the database alone yields no usable key.
"""

import base64
import datetime
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier
from django.conf import settings

PrivateKey = ec.EllipticCurvePrivateKey

COUNTRY = "KZ"
PLATFORM = "onestop"
ROOT_NAME = "onestop Root CA"
ISSUING_NAME = "onestop Issuing CA"
AUDIT_NAME = "onestop Audit Trail"
ROOT_LIFETIME = datetime.timedelta(days=20 * 365 + 5)
ISSUING_LIFETIME = datetime.timedelta(days=10 * 365 + 2)
SIGNER_LIFETIME = datetime.timedelta(days=3 * 365 + 1)
# Clocks of the machines that check a fresh certificate may run a little behind ours.
BACKDATE = datetime.timedelta(minutes=5)
# RFC 9336 id-kp-documentSigning; emailProtection is there too, for S/MIME tools.
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")

_HKDF_SALT = b"onestop.signatures"
_HKDF_INFO = b"passphrase for private keys at rest"


def new_key() -> PrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _passphrase(secret: str) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=_HKDF_INFO).derive(
        secret.encode()
    )
    return base64.urlsafe_b64encode(derived)


def encrypt_key(key: PrivateKey) -> str:
    """The key as encrypted PKCS#8 PEM, under a passphrase derived from SECRET_KEY."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_passphrase(settings.SECRET_KEY)),
    ).decode()


def decrypt_key(encrypted_pem: str) -> PrivateKey:
    """Opens a key stored by `encrypt_key`, also after SECRET_KEY was rotated to a fallback."""
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        try:
            key = serialization.load_pem_private_key(
                encrypted_pem.encode(), password=_passphrase(secret)
            )
        except ValueError:
            continue
        if not isinstance(key, PrivateKey):
            raise TypeError("the platform's keys are ECDSA keys")
        return key
    raise RuntimeError(
        "a signing key cannot be decrypted: it was stored under a SECRET_KEY that is "
        "neither the current one nor in SECRET_KEY_FALLBACKS"
    )


def load_certificate(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


def certificate_pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def serial_hex(certificate: x509.Certificate) -> str:
    return format(certificate.serial_number, "x")


def platform_name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, COUNTRY),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, PLATFORM),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def agency_name(*, code: str, name: str) -> x509.Name:
    """C=KZ, O=the agency's name, CN=its code."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, COUNTRY),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
            x509.NameAttribute(NameOID.COMMON_NAME, code),
        ]
    )


def _key_usage(*, sign_certificates: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not sign_certificates,
        content_commitment=not sign_certificates,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=sign_certificates,
        crl_sign=sign_certificates,
        encipher_only=False,
        decipher_only=False,
    )


@dataclass(frozen=True)
class Issuer:
    """Who signs a new certificate: its certificate and key (none for a self-signed root)."""

    certificate: x509.Certificate
    key: PrivateKey


def _builder(
    *,
    subject: x509.Name,
    key: PrivateKey,
    issuer: Issuer | None,
    now: datetime.datetime,
    lifetime: datetime.timedelta,
) -> x509.CertificateBuilder:
    not_after = now + lifetime
    if issuer is not None:
        # A certificate never outlives the one that issued it.
        not_after = min(not_after, issuer.certificate.not_valid_after_utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is not None:
        ski = issuer.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski.value),
            critical=False,
        )
    return builder


def root_certificate(*, key: PrivateKey, now: datetime.datetime) -> x509.Certificate:
    """The self-signed root: a CA for 20 years, any path length below it."""
    return (
        _builder(
            subject=platform_name(ROOT_NAME), key=key, issuer=None, now=now, lifetime=ROOT_LIFETIME
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_key_usage(sign_certificates=True), critical=True)
        .sign(key, hashes.SHA256())
    )


def issuing_certificate(
    *, key: PrivateKey, root: Issuer, now: datetime.datetime
) -> x509.Certificate:
    """The issuing CA under the root: 10 years, path length 0 (it issues only end entities)."""
    return (
        _builder(
            subject=platform_name(ISSUING_NAME),
            key=key,
            issuer=root,
            now=now,
            lifetime=ISSUING_LIFETIME,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(sign_certificates=True), critical=True)
        .sign(root.key, hashes.SHA256())
    )


def signer_certificate(
    *, subject: x509.Name, key: PrivateKey, issuing: Issuer, now: datetime.datetime
) -> x509.Certificate:
    """An end-entity certificate for signing documents: digitalSignature and nonRepudiation."""
    return (
        _builder(subject=subject, key=key, issuer=issuing, now=now, lifetime=SIGNER_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(sign_certificates=False), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
            critical=False,
        )
        .sign(issuing.key, hashes.SHA256())
    )
