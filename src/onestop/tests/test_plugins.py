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
