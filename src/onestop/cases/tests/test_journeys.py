"""The journeys of the single window through the API, as a kiosk, the portal or an
operator's workstation would make them."""

import base64
import datetime
import subprocess

import pytest
from django.utils import timezone

from onestop.cases import services
from onestop.cases.models import Application, Document
from onestop.notify.models import Notification, SandboxSms
from onestop.offices.models import Office
from onestop.people.models import Person, Role
from onestop.registries.sandbox.faults import sandbox_outage
from onestop.tests import factories

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PASSWORD = "a-password-for-this-test-1"


@pytest.fixture(autouse=True)
def sandbox_registries(db):
    from onestop.registries.sandbox.data import load_sandbox_data

    load_sandbox_data()


def auth(user):
    return factories.bearer(user)


def post(api_client, url, body, headers):
    return api_client.post(url, body, content_type="application/json", **headers)


def test_instant_certificate_at_a_self_service_point_is_issued_signed(
    api_client, citizen, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    headers = auth(citizen)
    response = post(
        api_client,
        "/api/v1/applications",
        {
            "service": "real-estate-certificate",
            "applicant": {"iin": citizen.person.iin},
            "channel": "pap",
        },
        headers,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "issued"
    assert [h["status"] for h in body["history"]] == [
        "submitted",
        "accepted",
        "approved",
        "ready",
        "issued",
    ]
    assert {d["registry"] for d in body["documents"] if d["source"] == "registry"} >= {
        "population",
        "real_estate",
    }
    pdf = api_client.get(body["result"]["document"], **headers)
    p7s = api_client.get(body["result"]["signature"], **headers)
    ca = api_client.get("/api/v1/signatures/ca")
    assert pdf.status_code == p7s.status_code == ca.status_code == 200
    (tmp_path / "result.pdf").write_bytes(b"".join(pdf.streaming_content))
    (tmp_path / "result.p7s").write_bytes(b"".join(p7s.streaming_content))
    (tmp_path / "ca.pem").write_bytes(ca.content)
    verified = subprocess.run(
        [
            "openssl",
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            tmp_path / "result.p7s",
            "-content",
            tmp_path / "result.pdf",
            "-CAfile",
            tmp_path / "ca.pem",
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verified.returncode == 0, verified.stderr
    text = subprocess.run(
        ["pdftotext", tmp_path / "result.pdf", "-"], capture_output=True, text=True, check=True
    ).stdout
    assert citizen.person.iin in text


def test_a_self_service_point_gives_only_instant_services(api_client, citizen):
    response = post(
        api_client,
        "/api/v1/applications",
        {"service": "passport", "applicant": {"iin": citizen.person.iin}, "channel": "pap"},
        auth(citizen),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "channel"


def test_counter_journey_operator_reviewer_operator(
    api_client,
    centre,
    citizen,
    reviewers,
    tmp_path,
    settings,
    run_tasks,
    django_capture_on_commit_callbacks,
):
    """An operator files a real-estate registration (title and address come from the
    registries), accepts it; the drawn reviewer approves; the operator hands out the result."""
    settings.MEDIA_ROOT = tmp_path
    operator = auth(factories.staff(Role.OPERATOR, office=centre, window=3))
    filed = post(
        api_client,
        "/api/v1/applications",
        {
            "service": "real-estate-registration",
            "applicant": {"iin": citizen.person.iin},
            "channel": "oss",
            "office": centre.code,
            "documents": [
                {"name": "contract.pdf", "document": 0, "content": base64.b64encode(PDF).decode()}
            ],
        },
        operator,
    )
    assert filed.status_code == 201, filed.content
    number = filed.json()["number"]
    assert filed.json()["status"] == "submitted"  # at the counter the operator checks, then accepts
    fetched = [d for d in filed.json()["documents"] if d["source"] == "registry"]
    assert fetched and all(d["fetched_from"] and d["fetched_at"] for d in fetched)
    accepted = post(
        api_client, f"/api/v1/applications/{number}/transitions", {"action": "accept"}, operator
    )
    assert accepted.json()["status"] == "assigned" and accepted.json()["reviewer"] is None
    reviewer = Application.objects.get(number=number).reviewer
    assert reviewer in reviewers
    inbox = api_client.get("/api/v1/applications", **auth(reviewer)).json()
    assert number in [a["number"] for a in inbox["items"]]
    with django_capture_on_commit_callbacks(execute=True):
        pending = post(
            api_client,
            f"/api/v1/applications/{number}/transitions?lang=en",
            {"action": "approve", "reason": "Title checked."},
            auth(reviewer),
        )
    # The result is produced by a task after the approval commits; until then, it says so.
    assert pending.json()["status"] == "approved" and pending.json()["result"] is None
    assert pending.json()["status_name"] == "approved, result being prepared"
    run_tasks()
    approved = api_client.get(f"/api/v1/applications/{number}", **auth(reviewer))
    assert approved.json()["status"] == "ready" and approved.json()["result"]
    issued = post(
        api_client, f"/api/v1/applications/{number}/transitions", {"action": "issue"}, operator
    )
    assert issued.json()["status"] == "issued"
    mine = api_client.get(f"/api/v1/applications/{number}", **auth(citizen)).json()
    assert [h["status"] for h in mine["history"]] == [
        "submitted",
        "accepted",
        "assigned",
        "approved",
        "ready",
        "issued",
    ]


def test_a_forbidden_action_is_409_and_a_role_that_never_may_is_403(
    api_client, centre, operator, citizen
):
    filed = post(
        api_client,
        "/api/v1/applications",
        {
            "service": "passport",
            "applicant": {"iin": citizen.person.iin},
            "channel": "oss",
            "office": centre.code,
        },
        auth(operator),
    ).json()
    issue = post(
        api_client,
        f"/api/v1/applications/{filed['number']}/transitions",
        {"action": "issue"},
        auth(operator),
    )
    assert issue.status_code == 409 and issue["Content-Type"] == "application/problem+json"
    approve = post(
        api_client,
        f"/api/v1/applications/{filed['number']}/transitions",
        {"action": "approve"},
        auth(operator),
    )
    assert approve.status_code == 403
    other_centre = factories.staff(Role.OPERATOR, office=factories.centre())
    hidden = post(
        api_client,
        f"/api/v1/applications/{filed['number']}/transitions",
        {"action": "accept"},
        auth(other_centre),
    )
    assert hidden.status_code == 404


@pytest.mark.parametrize(
    ("body", "field", "code", "status"),
    [
        (
            {"service": "passport", "applicant": {"iin": "900101300048"}},
            "applicant.iin",
            "invalid_iin",
            422,
        ),
        (
            {"service": "passport", "applicant": {"iin": "901301300047"}},
            "applicant.iin",
            "invalid_iin",
            422,
        ),
        (
            {"service": "business-licence", "applicant": {"bin": "150340012341"}},
            "applicant.bin",
            "invalid_bin",
            422,
        ),
        (
            {"service": "no-such-service", "applicant": {"iin": None}},
            "service",
            "unknown_service",
            422,
        ),
        (
            {"service": "driving-licence", "applicant": {"iin": None}},
            "office",
            "service_not_offered",
            422,
        ),
    ],
)
def test_bad_input_is_named_and_nothing_is_written(api_client, citizen, body, field, code, status):
    # A standard centre: it offers passports, not driving licences.
    centre = factories.centre(services=["passport"])
    body = {"channel": "oss", "office": centre.code, **body}
    if body["applicant"].get("iin", "") is None:
        body["applicant"]["iin"] = citizen.person.iin
    before = (Application.objects.count(), Document.objects.count())
    operator = factories.staff(Role.OPERATOR, office=centre)
    response = post(api_client, "/api/v1/applications?lang=en", body, auth(operator))
    assert response.status_code == status, response.content
    assert (
        response.json()["errors"][0]["field"] == field
        and response.json()["errors"][0]["code"] == code
    )
    assert (Application.objects.count(), Document.objects.count()) == before


def test_portal_application_is_accepted_automatically_when_nothing_is_missing(
    api_client, citizen, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        filed = post(
            api_client,
            "/api/v1/applications",
            {
                "service": "address-certificate",
                "applicant": {"iin": citizen.person.iin},
                "channel": "portal",
            },
            auth(citizen),
        )
    assert filed.json()["status"] == "approved"  # the result is being prepared
    run_tasks()
    response = api_client.get(f"/api/v1/applications/{filed.json()['number']}", **auth(citizen))
    assert (
        response.json()["status"] == "ready"
    )  # instant on the portal: the result waits for download
    download = post(
        api_client,
        f"/api/v1/applications/{response.json()['number']}/transitions",
        {"action": "issue"},
        auth(citizen),
    )
    assert download.json()["status"] == "issued"


def test_a_registry_down_at_filing_makes_the_application_wait_not_fail(
    api_client, citizen, run_tasks, django_capture_on_commit_callbacks
):
    with sandbox_outage("real_estate"), django_capture_on_commit_callbacks(execute=True):
        response = post(
            api_client,
            "/api/v1/applications",
            {
                "service": "real-estate-certificate",
                "applicant": {"iin": citizen.person.iin},
                "channel": "portal",
            },
            auth(citizen),
        )
    assert response.status_code == 201
    application = Application.objects.get(number=response.json()["number"])
    assert application.status == "submitted" and application.data["waiting_for_registries"] == [
        "real_estate"
    ]
    with sandbox_outage("real_estate"), django_capture_on_commit_callbacks(execute=True):
        run_tasks(include_later=True, limit=1)
    application.refresh_from_db()
    assert application.status == "submitted"
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks(include_later=True)
    run_tasks()  # the result, produced after the automatic approval commits
    application.refresh_from_db()
    assert application.status == "ready"
    assert application.documents.filter(source="registry", registry="real_estate").count() == 1


def test_returning_stops_the_clock_and_refiling_restarts_it(
    citizen, operator, make_application, django_capture_on_commit_callbacks
):
    application = make_application(applicant=citizen.person)
    application.due_at = services.deadlines._due(application, application.submitted_at)
    application.save()
    with django_capture_on_commit_callbacks(execute=False):
        services.transition(
            actor=operator,
            application=application,
            action="return",
            reason="The contract is not signed.",
        )
    application.refresh_from_db()
    assert (
        application.due_at is None
        and application.clock_stopped_at
        and application.remaining_term is not None
    )
    with django_capture_on_commit_callbacks(execute=False):
        services.transition(actor=citizen, application=application, action="resubmit")
    application.refresh_from_db()
    assert application.due_at is not None and application.clock_stopped_at is None


def test_overdue_applications_are_flagged_and_the_head_is_told(
    make_application, reviewers, head, run_tasks, django_capture_on_commit_callbacks, mailoutbox
):
    late = make_application("assigned", reviewer=reviewers[0])
    Application.objects.filter(pk=late.pk).update(
        due_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    on_time = make_application("assigned", reviewer=reviewers[1])
    with django_capture_on_commit_callbacks(execute=True):
        assert services.flag_overdue() == 1
    run_tasks()
    late.refresh_from_db(), on_time.refresh_from_db()
    assert late.overdue and not on_time.overdue
    assert any(late.number in m.body and head.email in m.to for m in mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.flag_overdue() == 0  # once


def test_every_status_change_reaches_the_person_by_sms_and_email_in_her_language(
    api_client,
    centre,
    operator,
    citizen,
    reviewers,
    run_tasks,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    Person.objects.filter(pk=citizen.person_id).update(language="ru")
    with django_capture_on_commit_callbacks(execute=True):
        number = post(
            api_client,
            "/api/v1/applications",
            {
                "service": "passport",
                "applicant": {"iin": citizen.person.iin},
                "channel": "oss",
                "office": centre.code,
            },
            auth(operator),
        ).json()["number"]
    run_tasks()
    sms = SandboxSms.objects.filter(phone=citizen.person.phone, text__contains=number)
    assert (
        sms.count() == 1
        and "принято" not in sms.get().text
        and "получено" in sms.get().text.lower()
    )
    assert any(number in m.body for m in mailoutbox)
    assert not any(r.username in sms.get().text for r in reviewers)


def test_a_failing_sms_gateway_is_retried_and_never_undoes_the_change(
    api_client,
    centre,
    operator,
    citizen,
    run_tasks,
    django_capture_on_commit_callbacks,
    settings,
):
    settings.SANDBOX_SMS_DOWN = True
    with django_capture_on_commit_callbacks(execute=True):
        number = post(
            api_client,
            "/api/v1/applications",
            {
                "service": "passport",
                "applicant": {"iin": citizen.person.iin},
                "channel": "oss",
                "office": centre.code,
            },
            auth(operator),
        ).json()["number"]
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks()
    sms = Notification.objects.get(application__number=number, channel="sms")
    assert sms.state == "queued" and sms.attempts == 1 and "down" in sms.last_error
    assert Application.objects.get(number=number).status == "submitted"
    settings.SANDBOX_SMS_DOWN = False
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks(include_later=True)
    sms.refresh_from_db()
    assert sms.state == "sent" and sms.attempts == 2


def test_birth_of_a_child_is_one_application_with_a_part_per_agency(
    api_client, citizen, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            api_client,
            "/api/v1/applications",
            {
                "life_situation": "birth-of-a-child",
                "applicant": {"iin": citizen.person.iin},
                "channel": "portal",
            },
            auth(citizen),
        )
    assert response.status_code == 201, response.content
    bundle = response.json()
    assert [p["service"] for p in bundle["parts"]] == [
        "birth-registration",
        "iin-assignment",
        "child-birth-benefit",
        "kindergarten-queue",
    ]
    assert len({p["agency"] for p in bundle["parts"]}) >= 2
    for part in bundle["parts"]:
        application = Application.objects.get(number=part["number"])
        if application.status == "submitted":
            with django_capture_on_commit_callbacks(execute=True):
                services.transition(actor=None, application=application, action="accept")
            application.refresh_from_db()
        if application.status == "assigned":
            with django_capture_on_commit_callbacks(execute=True):
                services.transition(
                    actor=application.reviewer,
                    application=application,
                    action="approve",
                    reason="ok",
                )
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks()  # each part's result, produced after its approval commits
    after = api_client.get(f"/api/v1/applications/{bundle['number']}", **auth(citizen)).json()
    assert after["status"] == "ready"
    assert all(p["status"] == "ready" for p in after["parts"])
    # The parent moved along the table's roll-up rows, as the platform's own moves.
    assert [h["action"] for h in after["history"]] == ["file", "parts_under_way", "parts_ready"]


def test_driving_licence_steps_in_order(
    api_client, citizen, run_tasks, django_capture_on_commit_callbacks
):
    specialized = factories.centre(services=["driving-licence"], kind=Office.Kind.SPECIALIZED)
    operator = factories.staff(Role.OPERATOR, office=specialized)
    headers = auth(operator)
    with django_capture_on_commit_callbacks(execute=True):
        filed = post(
            api_client,
            "/api/v1/applications",
            {
                "service": "driving-licence",
                "applicant": {"iin": citizen.person.iin},
                "channel": "oss",
                "office": specialized.code,
            },
            headers,
        ).json()
        number = filed["number"]
        post(
            api_client, f"/api/v1/applications/{number}/transitions", {"action": "accept"}, headers
        )
    out_of_order = post(
        api_client,
        f"/api/v1/applications/{number}/steps",
        {"step": "theory-exam", "station": "hall"},
        headers,
    )
    assert out_of_order.status_code == 409
    for step, station in [
        ("photo", "booth 1"),
        ("medical-check", "room 4"),
        ("theory-exam", "hall B"),
        ("practical-exam", "track"),
    ]:
        response = post(
            api_client,
            f"/api/v1/applications/{number}/steps",
            {"step": step, "station": station},
            headers,
        )
        assert response.status_code == 200, response.content
    application = Application.objects.get(number=number)
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(
            actor=application.reviewer,
            application=application,
            action="approve",
            reason="Exams passed.",
        )
    run_tasks()
    with django_capture_on_commit_callbacks(execute=True):
        issued = post(
            api_client, f"/api/v1/applications/{number}/transitions", {"action": "issue"}, headers
        ).json()
    assert issued["status"] == "issued"
    assert [s["code"] for s in issued["steps"] if s["done_at"]] == [
        "photo",
        "medical-check",
        "theory-exam",
        "practical-exam",
        "issue",
    ]
    assert [s["station"] for s in issued["steps"]][:4] == ["booth 1", "room 4", "hall B", "track"]


def test_mobile_centre_operator_files_and_hands_out_a_pension_certificate(
    api_client, centre, citizen, run_tasks, django_capture_on_commit_callbacks
):
    van = factories.centre(services=["pension-contributions-certificate"], kind=Office.Kind.MOBILE)
    mobile = factories.staff(Role.OPERATOR, office=van)  # the operator in the van
    assert mobile.office == van
    headers = auth(mobile)
    with django_capture_on_commit_callbacks(execute=True):
        filed = post(
            api_client,
            "/api/v1/applications",
            {
                "service": "pension-contributions-certificate",
                "applicant": {"iin": citizen.person.iin},
                "channel": "mobile",
                "office": van.code,
            },
            headers,
        )
        assert filed.status_code == 201, filed.content
        number = filed.json()["number"]
        post(
            api_client, f"/api/v1/applications/{number}/transitions", {"action": "accept"}, headers
        )
    run_tasks()
    accepted = api_client.get(f"/api/v1/applications/{number}", **headers).json()
    assert accepted["status"] == "ready" and accepted["result"]
    with django_capture_on_commit_callbacks(execute=True):
        issued = post(
            api_client, f"/api/v1/applications/{number}/transitions", {"action": "issue"}, headers
        ).json()
    assert issued["status"] == "issued"
    elsewhere = post(
        api_client,
        "/api/v1/applications",
        {
            "service": "pension-contributions-certificate",
            "applicant": {"iin": citizen.person.iin},
            "channel": "mobile",
            "office": centre.code,
        },
        headers,
    )
    assert elsewhere.status_code == 403


def test_call_centre_agent_finds_a_callers_application_by_number(
    client, api_client, citizen, make_application
):
    application = make_application(applicant=citizen.person)
    agent = factories.with_password(factories.staff(Role.AGENT), PASSWORD)
    client.post("/login/", {"username": agent.username, "password": PASSWORD})
    html = client.get(f"/applications/?q={citizen.person.iin}&lang=en").content.decode()
    assert application.number in html
    body = api_client.get(f"/api/v1/applications/{application.number}", **auth(agent)).json()
    assert body["status"] == "submitted" and body["reviewer"] is None
