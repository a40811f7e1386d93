"""Administrators see the certificates read-only and never a private key."""

import pytest

from onestop.catalog.models import Agency
from onestop.signatures import services
from onestop.signatures.models import Authority
from onestop.tests import factories


@pytest.fixture
def admin_client(client):
    """The client of a standards administrator, logged in on the login page."""
    admin = factories.with_password(factories.standards_administrator(), "a-password-1")
    client.post("/login/", {"username": admin.username, "password": "a-password-1"})
    return client


@pytest.mark.django_db
def test_certificates_are_listed_and_shown_without_keys(admin_client):
    services.agency_signer(Agency.objects.get(code="MJ"))
    listing = admin_client.get("/admin/signatures/authority/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "onestop Root CA" in html and "CN=MJ" in html
    assert "PRIVATE KEY" not in html

    agency_certificate = Authority.objects.get(kind=Authority.Kind.AGENCY)
    page = admin_client.get(f"/admin/signatures/authority/{agency_certificate.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "BEGIN CERTIFICATE" in html
    assert "PRIVATE KEY" not in html
    assert 'name="subject"' not in html  # shown, not editable


@pytest.mark.django_db
def test_certificates_cannot_be_added_changed_or_deleted_in_the_admin(admin_client):
    services.ensure_platform_ca()
    root = Authority.objects.get(kind=Authority.Kind.ROOT)
    assert admin_client.get("/admin/signatures/authority/add/").status_code == 403
    assert admin_client.get(f"/admin/signatures/authority/{root.pk}/delete/").status_code == 403
    response = admin_client.post(
        f"/admin/signatures/authority/{root.pk}/change/", {"subject": "CN=changed"}
    )
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.subject == "CN=onestop Root CA,O=onestop,C=KZ"
