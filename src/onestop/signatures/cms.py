"""Detached CMS (PKCS#7) signatures: made with `cryptography`, checked with pyHanko.

Both sides are standard SignedData in DER with SHA-256, so `openssl cms -verify` and any
other CMS tool agree with what is written here.
"""

import asyncio
import concurrent.futures
import datetime
from collections.abc import Coroutine, Iterable
from typing import Any, TypeVar

from asn1crypto import cms as asn1_cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from pyhanko.sign.validation import async_validate_detached_cms
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import StandardCMSSignatureStatus
from pyhanko_certvalidator import ValidationContext

from onestop.signatures.pki import PrivateKey

T = TypeVar("T")


class MalformedSignature(ValueError):
    """The bytes are not one detached CMS SignedData with one signer."""


def sign_detached(
    *,
    data: bytes,
    certificate: x509.Certificate,
    key: PrivateKey,
    chain: Iterable[x509.Certificate] = (),
) -> bytes:
    """DER SignedData over `data`, detached, SHA-256, carrying the signer's certificate and
    `chain` so that a verifier needs only the root."""
    builder = (
        pkcs7.PKCS7SignatureBuilder().set_data(data).add_signer(certificate, key, hashes.SHA256())
    )
    for extra in chain:
        builder = builder.add_certificate(extra)
    return builder.sign(
        serialization.Encoding.DER,
        [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary],
    )


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Runs pyHanko's coroutine to completion from sync code, also when a loop is running."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _signed_data(signature: bytes) -> asn1_cms.SignedData:
    try:
        info = asn1_cms.ContentInfo.load(signature)
        if info["content_type"].native != "signed_data":
            raise MalformedSignature("not SignedData")
        signed_data = info["content"]
        if len(signed_data["signer_infos"]) != 1:
            raise MalformedSignature("not exactly one signer")
        if signed_data["encap_content_info"]["content"].native is not None:
            raise MalformedSignature("not detached: the content is inside")
        return signed_data
    except MalformedSignature:
        raise
    except (ValueError, TypeError, KeyError, IndexError) as error:
        raise MalformedSignature(str(error)) from error


def validate_detached(
    *,
    data: bytes,
    signature: bytes,
    trust_roots: Iterable[x509.Certificate],
    other_certificates: Iterable[x509.Certificate] = (),
    moment: datetime.datetime | None = None,
) -> StandardCMSSignatureStatus:
    """pyHanko's verdict on a detached signature: integrity, and a path to one of
    `trust_roots` valid at `moment` (now by default). Nothing is fetched from the network."""
    roots = [_asn1(root) for root in trust_roots]
    if not roots:
        # An empty list would make pyHanko fall back to the operating system's roots.
        raise ValueError("at least one trust root is needed")
    signed_data = _signed_data(signature)
    context = ValidationContext(
        trust_roots=roots,
        other_certs=[_asn1(certificate) for certificate in other_certificates],
        moment=moment,
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    try:
        return _run(
            async_validate_detached_cms(data, signed_data, signer_validation_context=context)
        )
    except SignatureValidationError as error:
        raise MalformedSignature(str(error)) from error
    except (ValueError, TypeError, KeyError, IndexError) as error:
        raise MalformedSignature(str(error)) from error
