import copy
import json

import pytest

from onestop.audit.models import AuditEvent
from onestop.catalog.models import Service, Standard
from onestop.catalog.readability import check_service, check_text
from onestop.catalog.services import import_register, new_draft, publish_standard
from onestop.demo.services import REGISTER
from onestop.problems import Conflict

pytestmark = pytest.mark.django_db


def register():
    return json.loads(REGISTER.read_text(encoding="utf-8"))


def test_demo_register_holds_what_the_contract_lists():
    assert Service.objects.count() >= 40
    for code in [
        "identity-card",
        "passport",
        "birth-registration",
        "marriage-registration",
        "death-registration",
        "legal-entity-registration",
        "land-registration",
        "real-estate-registration",
        "real-estate-certificate",
        "address-certificate",
        "pension-contributions-certificate",
        "driving-licence",
        "vehicle-registration",
        "premium-licence-plates",
        "kindergarten-queue",
        "child-birth-benefit",
        "public-housing-queue",
        "military-registration",
        "bolashak-scholarship",
        "business-licence",
        "fine-payment",
    ]:
        service = Service.objects.get(code=code)
        assert service.current_standard.status == Standard.Status.PUBLISHED
        for language in ("kk", "ru", "en"):
            assert getattr(service, f"name_{language}") and getattr(
                service, f"description_{language}"
            )
    assert set(Service.objects.filter(instant=True).values_list("code", flat=True)) == {
        "real-estate-certificate",
        "address-certificate",
        "pension-contributions-certificate",
    }


def test_loading_the_same_register_again_changes_nothing():
    events = AuditEvent.objects.count()
    versions = Standard.objects.count()
    counts = import_register(actor="test", register=register())
    assert counts["new_standards"] == 0
    assert Standard.objects.count() == versions
    assert AuditEvent.objects.count() == events


def test_a_changed_standard_becomes_a_new_version_and_the_old_one_is_kept():
    data = register()
    item = next(s for s in data["services"] if s["code"] == "passport")
    old = Service.objects.get(code="passport").current_standard
    item["fee"] = "9999.00"
    counts = import_register(actor="test", register=data)
    assert counts["new_standards"] == 1
    service = Service.objects.get(code="passport")
    assert service.current_standard.version == old.version + 1
    assert str(service.current_standard.fee_amount) == "9999.00"
    old.refresh_from_db()
    assert (
        old.status == Standard.Status.RETIRED
        and old.fee_amount != service.current_standard.fee_amount
    )
    assert AuditEvent.objects.filter(
        action="standard.published", object_id=str(service.current_standard.pk)
    ).exists()


def test_a_draft_copies_the_current_standard_and_publishing_switches_over():
    service = Service.objects.get(code="driving-licence")
    current = service.current_standard
    draft = new_draft(actor="admin", service=service)
    assert draft.status == Standard.Status.DRAFT and draft.version == current.version + 1
    assert [s.code for s in draft.steps.all()] == [s.code for s in current.steps.all()]
    assert draft.documents.count() == current.documents.count()
    service.refresh_from_db()
    assert service.current_standard_id == current.pk  # a draft is not in force
    publish_standard(actor="admin", standard=draft)
    service.refresh_from_db()
    assert service.current_standard_id == draft.pk
    with pytest.raises(Conflict):
        publish_standard(actor="admin", standard=draft)


def test_driving_licence_has_its_steps_in_order():
    steps = Service.objects.get(code="driving-licence").current_standard.steps.all()
    assert [s.code for s in steps] == [
        "photo",
        "medical-check",
        "theory-exam",
        "practical-exam",
        "issue",
    ] or [s.code for s in steps] == [
        "photo",
        "medical_check",
        "theory_exam",
        "practical_exam",
        "issue",
    ]


def test_readability_flags_long_sentences_and_jargon():
    long = " ".join(["слово"] * 25) + "."
    assert [f.kind for f in check_text(long, "ru")] == ["long_sentence"]
    assert [
        f.kind for f in check_text("Услуга осуществляется в соответствии с законом.", "ru")
    ] == ["bureaucratic", "bureaucratic"]
    assert [f.kind for f in check_text("The applicant shall submit the form.", "en")] == [
        "bureaucratic"
    ]
    assert check_text("Marshall brings his passport. You get a new one in ten days.", "en") == []
    assert [f.kind for f in check_text("Құжат заңға сәйкес беріледі.", "kk")] == ["bureaucratic"]


def test_the_demo_register_speaks_plainly():
    flagged = {s.code: check_service(s) for s in Service.objects.all()}
    assert {code: findings for code, findings in flagged.items() if findings} == {}


def test_register_with_an_unknown_channel_is_refused_and_nothing_is_written():
    data = register()
    data = copy.deepcopy(data)
    data["services"][0]["channels"] = ["pigeon"]
    data["services"][0]["fee"] = "1.00"
    before = Standard.objects.count()
    with pytest.raises(Exception, match="pigeon"):
        import_register(actor="test", register=data)
    assert Standard.objects.count() == before
