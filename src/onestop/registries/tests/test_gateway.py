"""The gateway: validated subjects, retries with backoff, failures surfaced, every answer audited."""

from types import SimpleNamespace

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured

from onestop.audit.models import AuditEvent
from onestop.catalog.models import StandardDocument
from onestop.people.iin import InvalidBIN, InvalidIIN
from onestop.people.models import LegalEntity, Person, Role, User
from onestop.problems import DomainError, InvalidField, problem_body
from onestop.registries import services
from onestop.registries.models import SandboxProperty
from onestop.registries.registry import (
    RegistryPlugin,
    RegistryUnavailable,
    UnknownRegistry,
    register,
    registries,
)
from onestop.registries.sandbox.faults import reseed_failures, sandbox_outage
from onestop.registries.selectors import registries_in_service
from onestop.tests import factories

pytestmark = pytest.mark.django_db

REGISTRIES = ["population", "real_estate", "pensions", "vehicles", "civil_status", "business"]


@pytest.fixture
def person(sandbox) -> Person:
    """A new person, whom the sandbox registries know."""
    someone = factories.person()
    factories.known_to_registries()
    return someone


@pytest.fixture
def operator() -> User:
    return factories.staff(Role.OPERATOR)


def fetched_events():
    return AuditEvent.objects.filter(action="registry.fetched").order_by("id")


def test_every_registry_of_the_catalogue_has_a_plugin(sandbox):
    served = {row["code"] for row in registries_in_service()}
    assert served == set(StandardDocument.Registry.values) == set(REGISTRIES)
    assert all(row["plugin"] == "sandbox" for row in registries_in_service())


def test_a_fetch_is_audited_with_its_purpose(person, operator, no_backoff):
    before = fetched_events().count()
    record = services.fetch(
        registry="population", subject=person.iin, actor=operator, purpose="APP-2026-000123"
    )
    assert record.found and record.data["iin"] == person.iin
    events = list(fetched_events()[before:])
    assert len(events) == 1
    event = events[0]
    assert event.actor == operator.username
    assert event.object_type == "registries.population" and event.object_id == person.iin
    assert event.data == {
        "purpose": "APP-2026-000123",
        "found": True,
        "source": "sandbox:population",
    }


def test_an_answer_that_finds_nothing_is_audited_too(sandbox, operator):
    owners = SandboxProperty.objects.values_list("owner_iin", flat=True)
    nobody = Person.objects.exclude(iin__in=owners).order_by("iin").first()
    before = fetched_events().count()
    record = services.fetch(
        registry="real_estate", subject=nobody.iin, actor=operator, purpose="certificate"
    )
    assert not record.found and record.data == {"titles": []}
    assert fetched_events()[before:].get().data["found"] is False


def test_each_registry_answers_through_the_gateway(person, operator):
    entity = LegalEntity.objects.order_by("bin").first()
    before = fetched_events().count()
    for code in REGISTRIES:
        subject = entity.bin if code == "business" else person.iin
        record = services.fetch(registry=code, subject=subject, actor=operator, purpose="test")
        assert record.registry == code and record.subject == subject
    assert fetched_events().count() == before + len(REGISTRIES)


@pytest.mark.parametrize("iin", ["12345", "850101300016", "851301300010", "abcdefghijkl"])
def test_an_invalid_iin_is_refused_before_any_registry_is_asked(iin, operator, plugin_calls):
    calls = plugin_calls("population")
    before = AuditEvent.objects.count()
    with pytest.raises(InvalidIIN) as refused:
        services.fetch(registry="population", subject=iin, actor=operator, purpose="test")
    assert refused.value.status == 422
    assert refused.value.errors[0]["code"] == "invalid_iin"
    assert refused.value.errors[0]["field"] == "iin"
    assert calls == [] and AuditEvent.objects.count() == before


def test_the_business_registry_wants_a_bin(person, operator):
    with pytest.raises(InvalidBIN) as refused:
        services.fetch(registry="business", subject=person.iin, actor=operator, purpose="test")
    assert refused.value.errors[0]["code"] == "invalid_bin"


def test_an_unknown_registry_is_422_naming_the_field(person, operator):
    with pytest.raises(UnknownRegistry) as refused:
        services.fetch(registry="horoscopes", subject=person.iin, actor=operator, purpose="test")
    assert isinstance(refused.value, DomainError) and refused.value.status == 422
    assert refused.value.errors[0]["field"] == "registry"
    assert refused.value.errors[0]["code"] == "unknown_registry"


def test_a_purpose_is_required(person, operator):
    with pytest.raises(InvalidField) as refused:
        services.fetch(registry="population", subject=person.iin, actor=operator, purpose=" ")
    assert refused.value.errors[0]["field"] == "purpose"


@pytest.mark.parametrize("retries", [0, 1, 2, 4])
def test_an_outage_is_retried_then_reported(retries, person, operator, no_backoff, plugin_calls):
    calls = plugin_calls("real_estate")
    before = AuditEvent.objects.count()
    with sandbox_outage("real_estate") as outage, pytest.raises(RegistryUnavailable) as failed:
        services.fetch(
            registry="real_estate",
            subject=person.iin,
            actor=operator,
            purpose="test",
            retries=retries,
        )
    assert len(calls) == retries + 1 == outage.refused
    assert no_backoff == [0.2 * 2**n for n in range(retries)]  # exponential backoff
    error = failed.value
    assert error.status == 503 and error.code == "registry_unavailable"
    assert error.registry == "real_estate"
    body = problem_body(error.status, error.detail, error.errors, error.code)
    assert body["status"] == 503 and body["type"].endswith("/registry_unavailable")
    assert AuditEvent.objects.count() == before  # nothing was fetched, nothing to log


def test_an_outage_of_one_registry_leaves_the_others_working(person, operator, no_backoff):
    with sandbox_outage("real_estate"):
        record = services.fetch(
            registry="population", subject=person.iin, actor=operator, purpose="test"
        )
    assert record.found


def test_a_transient_failure_is_overcome_by_a_retry(person, operator, no_backoff, plugin_calls):
    calls = plugin_calls("pensions")
    before = fetched_events().count()
    with sandbox_outage("pensions", calls=1) as outage:
        record = services.fetch(
            registry="pensions", subject=person.iin, actor=operator, purpose="test"
        )
    assert record.registry == "pensions"
    assert len(calls) == 2 and outage.refused == 1
    assert no_backoff == [0.2]
    assert fetched_events().count() == before + 1


def test_a_registry_can_be_down_by_settings(settings, person, operator, no_backoff):
    settings.SANDBOX_REGISTRY_DOWN = {"vehicles"}
    with pytest.raises(RegistryUnavailable):
        services.fetch(registry="vehicles", subject=person.iin, actor=operator, purpose="test")
    settings.SANDBOX_REGISTRY_DOWN = "pensions, vehicles"
    with pytest.raises(RegistryUnavailable):
        services.fetch(registry="vehicles", subject=person.iin, actor=operator, purpose="test")
    settings.SANDBOX_REGISTRY_DOWN = set()
    assert services.fetch(registry="vehicles", subject=person.iin, actor=operator, purpose="t")


def outcomes(person, operator, n: int) -> list[bool]:
    results = []
    for _ in range(n):
        try:
            services.fetch(
                registry="population", subject=person.iin, actor=operator, purpose="t", retries=0
            )
            results.append(True)
        except RegistryUnavailable:
            results.append(False)
    return results


def test_random_failures_follow_the_rate_and_repeat_with_the_seed(settings, person, operator):
    settings.SANDBOX_REGISTRY_FAILURE_RATE = 0.3
    reseed_failures(7)
    first = outcomes(person, operator, 60)
    reseed_failures(7)
    assert outcomes(person, operator, 60) == first
    assert 5 <= first.count(False) <= 35
    settings.SANDBOX_REGISTRY_FAILURE_RATE = 1.0
    assert outcomes(person, operator, 3) == [False] * 3
    settings.SANDBOX_REGISTRY_FAILURE_RATE = 0.0
    assert outcomes(person, operator, 3) == [True] * 3


def test_latency_is_simulated(settings, monkeypatch, person, operator):
    from onestop.registries.sandbox import faults

    waits: list[float] = []
    monkeypatch.setattr(faults, "sleep", waits.append)
    settings.SANDBOX_REGISTRY_LATENCY_MS = 350
    services.fetch(registry="population", subject=person.iin, actor=operator, purpose="test")
    assert waits == [0.35]


def test_documents_are_fetched_once_per_registry(person, operator, plugin_calls):
    population_calls = plugin_calls("population")
    documents = [
        SimpleNamespace(provided_by="applicant", registry=""),
        SimpleNamespace(provided_by="registry", registry="population"),
        SimpleNamespace(provided_by="registry", registry="real_estate"),
        SimpleNamespace(provided_by="registry", registry="population"),
    ]
    before = fetched_events().count()
    records = services.fetch_for_documents(
        documents=documents, applicant_iin=person.iin, actor=operator, purpose="APP-1"
    )
    assert [r.registry for r in records] == ["population", "real_estate"]
    assert population_calls == [person.iin]
    assert fetched_events().count() == before + 2


def test_documents_of_a_demo_standard_are_fetched(person, operator):
    fetched = StandardDocument.objects.filter(provided_by="registry")
    standard = next(
        document.standard
        for document in fetched.select_related("standard").order_by("id")
        if not document.standard.documents.filter(registry="business").exists()
    )
    wanted = [d.registry for d in standard.documents.all() if d.provided_by == "registry"]
    records = services.fetch_for_documents(
        documents=standard.documents.all(), applicant_iin=person.iin, actor=operator, purpose="x"
    )
    assert [r.registry for r in records] == list(dict.fromkeys(wanted))


def test_business_documents_need_the_company_bin(person, operator):
    documents = [SimpleNamespace(provided_by="registry", registry="business")]
    with pytest.raises(InvalidField) as refused:
        services.fetch_for_documents(
            documents=documents, applicant_iin=person.iin, actor=operator, purpose="x"
        )
    assert refused.value.errors[0]["field"] == "bin"
    entity = LegalEntity.objects.order_by("bin").first()
    [record] = services.fetch_for_documents(
        documents=documents,
        applicant_iin=person.iin,
        entity_bin=entity.bin,
        actor=operator,
        purpose="x",
    )
    assert record.subject == entity.bin and record.found


def test_the_configured_plugin_answers(settings, request, person, operator):
    class StatePopulation(RegistryPlugin):
        verbose_name = "population registry (state)"

        def fetch(self, *, subject, **params):
            return self.answer(subject=subject, data={"from": "state"}, found=True)

    register("population", name="state")(StatePopulation)
    request.addfinalizer(lambda: registries.unregister("population", "state"))
    settings.REGISTRY_PLUGINS = {"population": "state"}
    record = services.fetch(registry="population", subject=person.iin, actor=operator, purpose="t")
    assert record.source == "state:population" and record.data == {"from": "state"}
    assert not [e for e in run_checks() if e.id.startswith("registries.")]

    settings.REGISTRY_PLUGINS = {"population": "nowhere", "horoscopes": "sandbox"}
    assert {e.id for e in run_checks() if e.id.startswith("registries.")} == {
        "registries.E001",
        "registries.E002",
    }
    with pytest.raises(ImproperlyConfigured):
        services.fetch(registry="population", subject=person.iin, actor=operator, purpose="t")


def test_a_plugin_cannot_be_registered_twice_under_one_name():
    class Impostor(RegistryPlugin):
        pass

    with pytest.raises(ImproperlyConfigured):
        register("population")(Impostor)


def test_what_was_asked_is_audited_with_the_answer(person, operator):
    before = fetched_events().count()
    record = services.fetch(
        registry="pensions", subject=person.iin, actor=operator, purpose="APP-7", months=6
    )
    assert record.data["period"]["from"] < record.data["period"]["to"]
    event = fetched_events()[before:].get()
    assert event.data["params"] == {"months": 6} and event.data["purpose"] == "APP-7"
