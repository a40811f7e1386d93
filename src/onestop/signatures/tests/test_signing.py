"""Detached CMS signatures: OpenSSL and pyHanko accept them, and refuse a changed document."""

import datetime
import subprocess

import pytest
from cryptography import x509
from django.test import RequestFactory
from django.utils import timezone

from onestop.catalog.models import Agency
from onestop.signatures import api, cms, pki, services
from onestop.signatures.models import Authority

DOCUMENT = "Анықтама № 42: жылжымайтын мүлік жоқ. ә ғ қ ң ө ұ ү һ і\n".encode()


def changed(data: bytes) -> bytes:
    return data[:10] + bytes([data[10] ^ 0x01]) + data[11:]


def openssl_verifies(tmp_path, *, data: bytes, signature: bytes, bundle: str, purpose=True):
    (tmp_path / "data.bin").write_bytes(data)
    (tmp_path / "sig.p7s").write_bytes(signature)
    (tmp_path / "bundle.pem").write_text(bundle)
    command = ["openssl", "cms", "-verify", "-binary", "-inform", "DER"]
    command += ["-in", str(tmp_path / "sig.p7s"), "-content", str(tmp_path / "data.bin")]
    command += ["-CAfile", str(tmp_path / "bundle.pem"), "-out", str(tmp_path / "out.bin")]
    if purpose:
        command += ["-purpose", "any"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    return result.returncode == 0, result.stderr


@pytest.fixture
def agency(db):
    return Agency.objects.get(code="MJ")


def test_openssl_verifies_the_signature_and_refuses_one_changed_byte(tmp_path, agency):
    signature = services.sign_detached(data=DOCUMENT, agency=agency)
    bundle = services.ca_bundle_pem()

    ok, output = openssl_verifies(tmp_path, data=DOCUMENT, signature=signature, bundle=bundle)
    assert ok, output
    assert "Verification successful" in output
    assert (tmp_path / "out.bin").read_bytes() == DOCUMENT

    ok, output = openssl_verifies(
        tmp_path, data=changed(DOCUMENT), signature=signature, bundle=bundle
    )
    assert not ok
    assert "Verification failure" in output


def test_openssl_accepts_it_as_smime_signing_without_relaxing_the_purpose(tmp_path, agency):
    signature = services.sign_detached(data=DOCUMENT, agency=agency)
    ok, output = openssl_verifies(
        tmp_path,
        data=DOCUMENT,
        signature=signature,
        bundle=services.ca_bundle_pem(),
        purpose=False,
    )
    assert ok, output


def test_openssl_builds_the_chain_root_issuing_agency(tmp_path, agency):
    certificate, _key = services.agency_signer(agency)
    root_pem, issuing_pem = [
        pki.certificate_pem(c)
        for c in x509.load_pem_x509_certificates(services.ca_bundle_pem().encode())
    ]
    (tmp_path / "root.pem").write_text(root_pem)
    (tmp_path / "issuing.pem").write_text(issuing_pem)
    (tmp_path / "agency.pem").write_text(pki.certificate_pem(certificate))
    command = ["openssl", "verify", "-show_chain", "-CAfile", str(tmp_path / "root.pem")]
    command += ["-untrusted", str(tmp_path / "issuing.pem"), str(tmp_path / "agency.pem")]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    depths = [line for line in result.stdout.splitlines() if line.startswith("depth=")]
    assert len(depths) == 3
    assert depths[0].startswith("depth=0: C = KZ") and "CN = MJ" in depths[0]
    assert "CN = onestop Issuing CA" in depths[1]
    assert "CN = onestop Root CA" in depths[2]


def test_signature_carries_the_agency_and_issuing_certificates_and_no_content(agency):
    from asn1crypto import cms as asn1_cms

    signature = services.sign_detached(data=DOCUMENT, agency=agency)
    signed_data = asn1_cms.ContentInfo.load(signature)["content"]
    assert signed_data["encap_content_info"]["content"].native is None
    names = sorted(c.chosen.subject.native["common_name"] for c in signed_data["certificates"])
    assert names == ["MJ", "onestop Issuing CA"]
    assert signed_data["digest_algorithms"][0]["algorithm"].native == "sha256"


def test_verify_detached_accepts_the_signature_and_names_the_signer(agency):
    signature = services.sign_detached(data=DOCUMENT, agency=agency)
    certificate, _key = services.agency_signer(agency)

    verdict = services.verify_detached(data=DOCUMENT, signature=signature)

    assert verdict.valid, verdict.reason
    assert verdict.code == "valid"
    assert not verdict.revoked
    assert verdict.signer_serial == pki.serial_hex(certificate)
    assert verdict.signer_subject == certificate.subject.rfc4514_string()
    assert "CN=MJ" in verdict.signer_subject
    assert verdict.not_after == certificate.not_valid_after_utc
    assert verdict.signer is not None
    assert verdict.signer.agency == "MJ"
    assert verdict.signer.name == agency.name_kk


def test_verify_detached_refuses_one_changed_byte(agency):
    signature = services.sign_detached(data=DOCUMENT, agency=agency)
    verdict = services.verify_detached(data=changed(DOCUMENT), signature=signature)
    assert not verdict.valid
    assert verdict.code == "modified"
    assert verdict.reason
    assert verdict.signer_subject  # the signer is still named


def test_verify_detached_refuses_a_damaged_signature(agency):
    signature = bytearray(services.sign_detached(data=DOCUMENT, agency=agency))
    signature[-5] ^= 0xFF  # inside the signature value, the last field
    verdict = services.verify_detached(data=DOCUMENT, signature=bytes(signature))
    assert not verdict.valid
    assert verdict.code in {"bad_signature", "malformed"}


@pytest.mark.parametrize("garbage", [b"", b"not a signature", b"\x30\x03\x02\x01\x01"])
def test_verify_detached_refuses_what_is_not_a_signature(db, garbage):
    verdict = services.verify_detached(data=DOCUMENT, signature=garbage)
    assert not verdict.valid
    assert verdict.code == "malformed"
    assert verdict.signer is None


def test_a_signature_from_another_ca_is_not_trusted(db):
    now = timezone.now()
    root_key, issuing_key, signer_key = pki.new_key(), pki.new_key(), pki.new_key()
    root = pki.root_certificate(key=root_key, now=now)
    issuing = pki.issuing_certificate(
        key=issuing_key, root=pki.Issuer(certificate=root, key=root_key), now=now
    )
    signer = pki.signer_certificate(
        subject=pki.agency_name(code="MJ", name="Forged ministry"),
        key=signer_key,
        issuing=pki.Issuer(certificate=issuing, key=issuing_key),
        now=now,
    )
    signature = cms.sign_detached(
        data=DOCUMENT, certificate=signer, key=signer_key, chain=[issuing]
    )

    verdict = services.verify_detached(data=DOCUMENT, signature=signature)

    assert not verdict.valid
    assert verdict.code == "untrusted"
    assert verdict.signer is not None and verdict.signer.agency == ""


def test_a_signature_by_a_revoked_certificate_is_refused(agency):
    signature = services.sign_detached(data=DOCUMENT, agency=agency)
    certificate, _key = services.agency_signer(agency)
    services.revoke_certificate(
        actor="admin",
        authority=Authority.objects.get(serial=pki.serial_hex(certificate)),
        reason="key compromise",
    )

    verdict = services.verify_detached(data=DOCUMENT, signature=signature)
    assert not verdict.valid
    assert verdict.revoked
    assert verdict.code == "revoked"

    fresh = services.sign_detached(data=DOCUMENT, agency=agency)
    assert services.verify_detached(data=DOCUMENT, signature=fresh).valid


def test_a_signature_by_an_expired_certificate_is_refused(agency):
    services.ensure_platform_ca()
    issuing = Authority.objects.get(kind=Authority.Kind.ISSUING)
    key = pki.new_key()
    long_ago = timezone.now() - pki.SIGNER_LIFETIME - datetime.timedelta(days=10)
    certificate = pki.signer_certificate(
        subject=pki.agency_name(code="MJ", name=agency.name_kk),
        key=key,
        issuing=pki.Issuer(
            certificate=issuing.certificate(), key=pki.decrypt_key(issuing.encrypted_key_pem)
        ),
        now=long_ago,
    )
    signature = cms.sign_detached(
        data=DOCUMENT, certificate=certificate, key=key, chain=[issuing.certificate()]
    )

    verdict = services.verify_detached(data=DOCUMENT, signature=signature)
    assert not verdict.valid
    assert verdict.code == "expired"


def test_ca_endpoint_serves_the_bundle_as_pem(db):
    response = api.ca_bundle(RequestFactory().get("/api/v1/signatures/ca"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-pem-file"
    certificates = x509.load_pem_x509_certificates(response.content)
    assert [c.subject.rfc4514_string() for c in certificates] == [
        "CN=onestop Root CA,O=onestop,C=KZ",
        "CN=onestop Issuing CA,O=onestop,C=KZ",
    ]
    assert response.content.decode() == services.ca_bundle_pem()
