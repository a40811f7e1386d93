"""The plugins of state registries: one plugin per (registry, implementation).

Each state registry (population, real estate, pensions...) has a sandbox plugin that ships
with the platform; a plugin that talks to the real state system registers beside it under
another name, and `settings.REGISTRY_PLUGINS` picks which one answers for each registry
(the shared shape is `onestop.plugins`).
"""

import abc
import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.plugins import BasePlugin, Registry, UnknownPlugin
from onestop.problems import DomainError, InvalidField


@dataclass(frozen=True)
class RegistryRecord:
    """What a state registry answered about one subject (an IIN, or a BIN for business).

    `found` is False when the registry holds nothing about the subject; `data` then still
    has the registry's (empty) shape, which is what a certificate of absence shows.
    """

    registry: str
    subject: str
    source: str
    fetched_at: datetime.datetime
    data: dict[str, Any] = field(default_factory=dict)
    found: bool = True

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for keeping the record with the application it was fetched for."""
        return {
            "registry": self.registry,
            "subject": self.subject,
            "source": self.source,
            "fetched_at": self.fetched_at.isoformat(),
            "found": self.found,
            "data": self.data,
        }


class RegistryUnavailable(DomainError):
    """The registry did not answer (down, timed out); trying again later may work."""

    status = 503

    def __init__(self, registry: str, detail=None):
        super().__init__(
            detail or _("A state registry is not answering. Try again in a few minutes."),
            code="registry_unavailable",
        )
        self.registry = registry


class UnknownRegistry(InvalidField):
    def __init__(self, code: str):
        super().__init__(
            "registry",
            "unknown_registry",
            _("There is no state registry with the code %(code)s.") % {"code": code},
        )


class RegistryPlugin(BasePlugin, abc.ABC):
    """One way of asking one state registry. Subclasses set `verbose_name` and implement
    `fetch`, which refuses to run inside a transaction (onestop/plugins.py)."""

    outside_calls = ("fetch",)

    @abc.abstractmethod
    def fetch(self, *, subject: str, **params: Any) -> RegistryRecord:
        """Asks the registry about one IIN or BIN; raises RegistryUnavailable when it cannot."""

    def answer(self, *, subject: str, data: dict[str, Any], found: bool) -> RegistryRecord:
        """A record stamped with this plugin's registry, source and the current time."""
        return RegistryRecord(
            registry=self.code,
            subject=subject,
            source=self.source,
            fetched_at=timezone.now(),
            data=data,
            found=found,
        )


registries: Registry[RegistryPlugin] = Registry(
    "state registry", setting="REGISTRY_PLUGINS", label="registries"
)

# `@register("population")` adds the sandbox plugin of a registry,
# `@register("population", name="gbdfl")` a real one beside it.
register = registries.register


def plugin_for(code: str) -> RegistryPlugin:
    """The configured plugin of a registry; UnknownRegistry (422) for a code nobody serves."""
    try:
        return registries.configured(code)
    except UnknownPlugin:
        raise UnknownRegistry(code) from None


def configured_plugins() -> Iterator[RegistryPlugin]:
    for code in registries.codes():
        yield plugin_for(code)
