import base64

import pytest
from django.core.files.storage import default_storage

from onestop.cases.models import Application, Document
from onestop.tests import factories

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def token(operator):
    """The bearer token of the operator at the test's centre."""
    return factories.token(operator)


@pytest.fixture
def file_at_counter(api_client, centre):
    """Files the reviewed service at the test's centre, with an operator's token."""

    def post(token, iin, documents):
        return api_client.post(
            "/api/v1/applications",
            {
                "service": "real-estate-registration",
                "applicant": {"iin": iin},
                "channel": "oss",
                "office": centre.code,
                "documents": documents,
            },
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    return post


def doc(name, content):
    return {"name": name, "document": 0, "content": base64.b64encode(content).decode()}


def test_a_pdf_and_a_png_are_kept_outside_the_database_with_checksums(
    api_client, file_at_counter, token, citizen, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    response = file_at_counter(
        token,
        citizen.person.iin,
        [doc("contract.pdf", PDF), doc("plan.png", PNG)],
    )
    assert response.status_code == 201, response.content
    documents = Document.objects.filter(
        application__number=response.json()["number"], source="operator"
    )  # added at the counter: the source names the staff, not the applicant
    assert {d.content_type for d in documents} == {"application/pdf", "image/png"}
    for document in documents:
        assert default_storage.exists(document.file.name)
        import hashlib

        assert hashlib.sha256(document.file.read()).hexdigest() == document.sha256


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"MZ\x90\x00 this is a program", 422, "unsupported_file_type"),
        (b"", 422, "empty_file"),
    ],
)
def test_wrong_files_are_refused_and_nothing_is_stored(
    api_client, file_at_counter, token, citizen, content, status, code, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    before = Application.objects.count()
    response = file_at_counter(
        token,
        citizen.person.iin,
        [doc("ok.pdf", PDF), doc("bad.exe", content)],
    )
    assert response.status_code == status
    assert response.json()["errors"][0] == {
        "field": "documents.1",
        "code": code,
        "message": response.json()["errors"][0]["message"],
    }
    assert Application.objects.count() == before
    assert not any(tmp_path.rglob("*.*"))


def test_a_file_too_large_is_a_413(api_client, file_at_counter, token, citizen, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.MAX_UPLOAD_MB = 1
    before = Application.objects.count()
    response = file_at_counter(
        token,
        citizen.person.iin,
        [doc("big.pdf", PDF + b"0" * (1024 * 1024))],
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["field"] == "documents.0"
    assert Application.objects.count() == before and not any(tmp_path.rglob("*.*"))


def test_multipart_upload_to_an_application(
    api_client, file_at_counter, token, citizen, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    number = file_at_counter(token, citizen.person.iin, []).json()["number"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api_client.post(
        f"/api/v1/applications/{number}/documents",
        {
            "file": SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"),
            "document": "0",
        },
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201, response.content
    assert response.json()[0]["content_type"] == "application/pdf"
    settings.MAX_UPLOAD_MB = 1
    big = api_client.post(
        f"/api/v1/applications/{number}/documents",
        {
            "file": SimpleUploadedFile(
                "big.pdf", PDF + b"0" * (1024 * 1024 + 1), content_type="application/pdf"
            )
        },
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert big.status_code == 413


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


@pytest.mark.parametrize(
    ("name", "content", "accepted"),
    [
        ("contract.pdf", PDF, True),
        ("CONTRACT.PDF", PDF, True),
        ("photo.jpeg", JPEG, True),
        ("photo.JPG", JPEG, True),
        ("plan.png", PNG, True),
        ("contract.pdf", PNG, False),  # an image passed off as a PDF
        ("photo.jpg", PDF, False),
        ("plan.png", JPEG, False),
        ("contract.pdf.exe", PDF, False),
        ("contract", PDF, False),
    ],
)
def test_the_name_of_a_file_must_agree_with_its_content(
    api_client, file_at_counter, token, citizen, name, content, accepted, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    api_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = file_at_counter(
        token,
        citizen.person.iin,
        [doc("ok.pdf", PDF), doc(name, content)],
    )
    if accepted:
        assert response.status_code == 201, response.content
        return
    assert response.status_code == 422, response.content
    error = response.json()["errors"][0]
    assert (error["field"], error["code"]) == ("documents.1.name", "extension_mismatch")
    assert "must end in" in error["message"]
    assert not any(tmp_path.rglob("*.*"))


def test_a_page_upload_whose_name_lies_is_refused(client, operator, citizen, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(operator)
    before = Application.objects.count()
    response = client.post(
        "/applications/new/?lang=en",
        {
            "service": "real-estate-registration",
            "iin": citizen.person.iin,
            "document-0": SimpleUploadedFile("deed.pdf", PNG, content_type="application/pdf"),
        },
        follow=True,
    )
    assert "This file is a PNG image: its name must end in .png." in response.content.decode()
    assert Application.objects.count() == before and not any(tmp_path.rglob("*.*"))


def test_a_multipart_upload_whose_name_lies_is_refused(
    api_client, file_at_counter, token, citizen, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    number = file_at_counter(token, citizen.person.iin, []).json()["number"]
    response = api_client.post(
        f"/api/v1/applications/{number}/documents",
        {"file": SimpleUploadedFile("scan.png", PDF, content_type="image/png")},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "documents.0.name"
