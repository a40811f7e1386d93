"""The plugin registry: typed, checked for duplicates, the implementation chosen by a setting."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from onestop import plugins


class Provider(plugins.BasePlugin):
    """A kind of plugin, as payments or signatures would declare one."""

    def pay(self) -> str:
        return self.source


@pytest.fixture
def providers(monkeypatch) -> plugins.Registry[Provider]:
    monkeypatch.setattr(plugins, "KINDS", {})
    registry: plugins.Registry[Provider] = plugins.Registry(
        "payment provider", setting="TEST_PAYMENT_PLUGINS", label="payments"
    )

    @registry.register("card")
    class SandboxCard(Provider):
        verbose_name = "card payments (sandbox)"

    @registry.register("card", name="acquirer")
    class AcquirerCard(Provider):
        verbose_name = "card payments (acquirer)"

    return registry


def test_the_sandbox_answers_unless_a_setting_names_another(providers, settings):
    assert providers.configured("card").source == "sandbox:card"
    settings.TEST_PAYMENT_PLUGINS = {"card": "acquirer"}
    assert providers.configured("card").pay() == "acquirer:card"
    assert providers.get("card", "sandbox").verbose_name == "card payments (sandbox)"


def test_every_implementation_is_listed(providers):
    assert [key for key, _cls in providers.items()] == [("card", "acquirer"), ("card", "sandbox")]
    assert providers.codes() == ["card"] and providers.names("card") == ["acquirer", "sandbox"]


def test_another_class_under_the_same_code_and_name_is_refused(providers):
    class Impostor(Provider):
        pass

    with pytest.raises(ImproperlyConfigured):
        providers.register("card", name="acquirer")(Impostor)
    assert providers.get("card", "acquirer").__name__ == "AcquirerCard"


def test_an_unknown_code_or_implementation_is_named(providers, settings):
    with pytest.raises(plugins.UnknownPlugin):
        providers.configured("cheque")
    settings.TEST_PAYMENT_PLUGINS = {"card": "nowhere", "cheque": "sandbox"}
    with pytest.raises(ImproperlyConfigured):
        providers.configured("card")
    assert {error.id for error in plugins.configured_plugins_exist(None)} == {
        "payments.E001",
        "payments.E002",
    }


# ---------------------------------------------------------------- the transaction rule


class Gateway(plugins.BasePlugin):
    outside_calls = ("call",)

    def call(self) -> str:
        return "answered"


class SlowGateway(Gateway):
    def call(self) -> str:  # an implementation need not remember the rule: it is kept
        return "slowly answered"


@pytest.mark.django_db
def test_an_outside_call_inside_a_transaction_the_code_opened_is_refused():
    from django.db import transaction

    with pytest.raises(plugins.CalledInsideTransaction), transaction.atomic():
        SlowGateway().call()
    with transaction.atomic(), transaction.atomic(), pytest.raises(plugins.CalledInsideTransaction):
        Gateway().call()


@pytest.mark.django_db
def test_the_tests_own_transaction_does_not_count():
    """pytest-django wraps this test in a transaction; the code under test did not open it."""
    from django.db import connection

    assert connection.in_atomic_block
    assert SlowGateway().call() == "slowly answered"


@pytest.mark.django_db
def test_registries_and_channels_keep_the_rule():
    from django.db import transaction

    from onestop.notify.channels import plugin_for as channel
    from onestop.people.models import Role
    from onestop.registries import services as registries
    from onestop.tests import factories

    person = factories.person()
    operator = factories.staff(Role.OPERATOR)
    assert registries.fetch(registry="population", subject=person.iin, actor=operator, purpose="t")
    with pytest.raises(plugins.CalledInsideTransaction), transaction.atomic():
        registries.fetch(registry="population", subject=person.iin, actor=operator, purpose="t")
    with pytest.raises(plugins.CalledInsideTransaction), transaction.atomic():
        channel("sms").send(recipient="+77010000000", subject="", text="hello")


@pytest.mark.django_db(transaction=True)
def test_with_real_commits_a_call_outside_a_transaction_goes_through():
    from django.db import transaction

    from onestop.notify.channels import plugin_for as channel
    from onestop.notify.models import SandboxSms

    assert channel("sms").send(recipient="+77010000000", subject="", text="hello")
    with pytest.raises(plugins.CalledInsideTransaction), transaction.atomic():
        channel("sms").send(recipient="+77010000000", subject="", text="again")
    assert list(SandboxSms.objects.values_list("text", flat=True)) == ["hello"]
