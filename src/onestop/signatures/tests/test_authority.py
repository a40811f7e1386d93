"""The platform's CA: created once, a proper chain, keys never stored in clear."""

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from onestop.audit.models import AuditEvent
from onestop.catalog.models import Agency
from onestop.signatures import pki, services
from onestop.signatures.models import Authority
from onestop.tests.threads import at_once

CLEAR_KEY_MARKERS = (b"BEGIN PRIVATE KEY", b"BEGIN EC PRIVATE KEY", b"BEGIN RSA PRIVATE KEY")


def chain_for(agency):
    certificate, _key = services.agency_signer(agency)
    root = Authority.objects.get(kind=Authority.Kind.ROOT).certificate()
    issuing = Authority.objects.get(kind=Authority.Kind.ISSUING).certificate()
    return root, issuing, certificate


@pytest.mark.django_db
def test_first_use_creates_root_and_issuing_ca_once():
    services.ensure_platform_ca()
    services.ensure_platform_ca()
    services.ca_bundle_pem()
    assert Authority.objects.filter(kind=Authority.Kind.ROOT).count() == 1
    assert Authority.objects.filter(kind=Authority.Kind.ISSUING).count() == 1
    assert AuditEvent.objects.filter(action="signatures.ca_created").count() == 2


@pytest.mark.django_db
def test_a_second_live_root_is_refused_by_the_database():
    services.ensure_platform_ca()
    root = Authority.objects.get(kind=Authority.Kind.ROOT)
    with pytest.raises(IntegrityError), transaction.atomic():
        Authority.objects.create(
            kind=Authority.Kind.ROOT,
            subject=root.subject,
            serial="1",
            not_before=root.not_before,
            not_after=root.not_after,
            certificate_pem=root.certificate_pem,
            encrypted_key_pem=root.encrypted_key_pem,
        )


@pytest.mark.django_db
def test_chain_is_root_then_issuing_then_agency():
    agency = Agency.objects.get(code="MJ")
    root, issuing, signer = chain_for(agency)

    root.verify_directly_issued_by(root)
    issuing.verify_directly_issued_by(root)
    signer.verify_directly_issued_by(issuing)

    assert root.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "onestop Root CA"
    assert issuing.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
        "onestop Issuing CA"
    )
    root_basic = root.extensions.get_extension_for_class(x509.BasicConstraints).value
    issuing_basic = issuing.extensions.get_extension_for_class(x509.BasicConstraints).value
    signer_basic = signer.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert root_basic.ca and root_basic.path_length is None
    assert issuing_basic.ca and issuing_basic.path_length == 0
    assert not signer_basic.ca

    root_years = (root.not_valid_after_utc - root.not_valid_before_utc).days / 365
    issuing_years = (issuing.not_valid_after_utc - issuing.not_valid_before_utc).days / 365
    assert 20 <= root_years < 20.1
    assert 10 <= issuing_years < 10.1
    assert signer.not_valid_after_utc <= issuing.not_valid_after_utc


@pytest.mark.django_db
def test_agency_certificate_names_the_agency_and_may_only_sign():
    agency = Agency.objects.get(code="MJ")
    certificate, key = services.agency_signer(agency)

    subject = certificate.subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "MJ"
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == agency.name_kk
    assert subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "KZ"
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert usage.value.digital_signature and usage.value.content_commitment
    assert not usage.value.key_cert_sign and not usage.value.key_encipherment
    purposes = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in purposes
    assert pki.DOCUMENT_SIGNING in purposes
    assert key.public_key() == certificate.public_key()


@pytest.mark.django_db
def test_agency_certificate_is_issued_once_and_then_reused():
    agency = Agency.objects.get(code="MIA")
    first, _ = services.agency_signer(agency)
    second, _ = services.agency_signer(agency)
    services.sign_detached(data=b"x", agency=agency)
    assert first == second
    assert Authority.objects.filter(agency=agency).count() == 1
    event = AuditEvent.objects.get(action="signatures.certificate_issued")
    assert event.data["agency"] == "MIA"
    assert event.data["serial"] == pki.serial_hex(first)


@pytest.mark.django_db
def test_a_revoked_agency_certificate_is_replaced_on_next_use():
    agency = Agency.objects.get(code="MJ")
    old, _ = services.agency_signer(agency)
    authority = Authority.objects.get(serial=pki.serial_hex(old))
    services.revoke_certificate(actor="admin", authority=authority, reason="key compromise")
    new, _ = services.agency_signer(agency)
    assert new != old
    assert AuditEvent.objects.filter(action="signatures.certificate_revoked").count() == 1


@pytest.mark.django_db
def test_private_keys_are_never_stored_in_clear():
    for code in ("MJ", "MIA", "MOE"):
        services.agency_signer(Agency.objects.get(code=code))
    authorities = list(Authority.objects.all())
    assert len(authorities) == 5
    for authority in authorities:
        assert authority.encrypted_key_pem.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        with pytest.raises(TypeError):  # a password is required
            load_pem_private_key(authority.encrypted_key_pem.encode(), password=None)

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM signatures_authority")
        dump = repr(cursor.fetchall()).encode()
    assert b"ENCRYPTED PRIVATE KEY" in dump
    assert not any(marker in dump for marker in CLEAR_KEY_MARKERS)

    for path in settings.DATA_DIR.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert not any(marker in content for marker in CLEAR_KEY_MARKERS), path


@pytest.mark.django_db
def test_keys_open_after_secret_key_rotation_only_through_the_fallbacks(settings):
    services.ensure_platform_ca()
    stored = Authority.objects.get(kind=Authority.Kind.ROOT).encrypted_key_pem
    old_secret = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(RuntimeError, match="SECRET_KEY_FALLBACKS"):
        pki.decrypt_key(stored)
    settings.SECRET_KEY_FALLBACKS = [old_secret]
    assert pki.decrypt_key(stored) is not None


@pytest.mark.django_db(transaction=True)
def test_four_processes_starting_at_once_create_one_ca():
    """Four callers at the same moment on their own connections: one root, one issuing CA."""
    errors = at_once(lambda _n: services.ensure_platform_ca(), 4)

    assert errors == []
    assert Authority.objects.filter(kind=Authority.Kind.ROOT).count() == 1
    assert Authority.objects.filter(kind=Authority.Kind.ISSUING).count() == 1
    assert AuditEvent.objects.filter(action="signatures.ca_created").count() == 2
    root = Authority.objects.get(kind=Authority.Kind.ROOT)
    issuing = Authority.objects.get(kind=Authority.Kind.ISSUING)
    assert issuing.issuer_id == root.pk
    issuing.certificate().verify_directly_issued_by(root.certificate())


@pytest.mark.django_db(transaction=True)
def test_four_processes_signing_for_a_new_agency_at_once_get_one_certificate():
    agency, _ = Agency.objects.get_or_create(
        code="SIGTEST",
        defaults={"name_kk": "Сынақ агенттігі", "name_ru": "Тестовое агентство", "name_en": "Test"},
    )
    serials = []

    def sign(_n):
        certificate, _key = services.agency_signer(agency)
        serials.append(pki.serial_hex(certificate))

    errors = at_once(sign, 4)

    assert errors == []
    assert len(set(serials)) == 1
    assert Authority.objects.filter(agency=agency).count() == 1
    assert AuditEvent.objects.filter(action="signatures.certificate_issued").count() == 1
    assert Authority.objects.filter(kind=Authority.Kind.ROOT).count() == 1
