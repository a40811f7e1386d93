import pytest


@pytest.fixture(scope="session")
def sandbox(django_db_setup, django_db_blocker) -> dict:
    """The sandbox registries filled for the demo population, once per test database."""
    from onestop.registries.sandbox.data import load_sandbox_data

    with django_db_blocker.unblock():
        return load_sandbox_data()


@pytest.fixture
def no_backoff(monkeypatch) -> list[float]:
    """Retries without waiting; the list collects the pauses the gateway asked for."""
    from onestop.registries import services

    pauses: list[float] = []
    monkeypatch.setattr(services, "sleep", pauses.append)
    return pauses


@pytest.fixture
def plugin_calls(monkeypatch):
    """Counts the calls the gateway makes to the plugin of a registry."""
    from onestop.registries.registry import registries

    def count(code: str) -> list[str]:
        plugin = registries.get(code, "sandbox")
        original = plugin.fetch
        calls: list[str] = []

        def counted(self, *, subject, **params):
            calls.append(subject)
            return original(self, subject=subject, **params)

        monkeypatch.setattr(plugin, "fetch", counted)
        return calls

    return count
