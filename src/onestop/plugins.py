"""Plugins: the one shape of every integration point with the world outside the platform.

Each kind of plugin (state registries, notification channels; payment providers and
signature algorithms next) has one typed `Registry`. A plugin registers under the code it
serves and an implementation name, `@registries.register("population")` for the sandbox
that ships and `@registries.register("population", name="gbdfl")` for a real one beside
it; a settings dict (`REGISTRY_PLUGINS = {"population": "gbdfl"}`) picks which answers.

The methods a kind names in `outside_calls` talk to the outside world. They refuse to run
inside a database transaction the application opened (`CalledInsideTransaction`): a slow
registry or gateway must never hold SQLite's write lock or PostgreSQL's row locks
(docs/architecture.md, "No call outside the process inside a transaction").
"""

import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar, Generic, TypeVar

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.utils.functional import Promise

SANDBOX = "sandbox"


class CalledInsideTransaction(RuntimeError):
    """A plugin was asked to reach outside the process while a transaction was open: a
    mistake in the calling code, never the caller's input."""


class UnknownPlugin(LookupError):
    """No plugin of this kind serves this code."""


def transaction_open() -> str | None:
    """The alias of a database on which the application holds a transaction open in this
    thread, or None. A test's own wrapping transaction (Django's TestCase marks its atomic
    blocks `_from_testcase`) does not count: the code under test did not open it."""
    for connection in connections.all(initialized_only=True):
        if any(not block._from_testcase for block in connection.atomic_blocks):
            return connection.alias
    return None


def refuse_inside_transaction(what: str) -> None:
    """Raises CalledInsideTransaction when a transaction is open (see `transaction_open`)."""
    alias = transaction_open()
    if alias is not None:
        raise CalledInsideTransaction(
            f"{what} reaches outside the process inside a transaction on database "
            f"{alias!r}: call it before the transaction, or after commit from a task"
        )


def _outside(method: Callable[..., Any]) -> Callable[..., Any]:
    if getattr(method, "_reaches_outside", False):
        return method

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        refuse_inside_transaction(f"{type(self).__qualname__}.{method.__name__}")
        return method(self, *args, **kwargs)

    guarded._reaches_outside = True  # type: ignore[attr-defined]
    return guarded


class BasePlugin:
    """One implementation of one integration point. `register` sets `code` (what it serves:
    "population", "sms") and `name` (which implementation: "sandbox", "gbdfl")."""

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    verbose_name: ClassVar[str | Promise] = ""
    # Methods that talk to the outside world; each kind's base class names its own.
    outside_calls: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs):
        """Every implementation of an outside call is guarded, whoever writes the plugin."""
        super().__init_subclass__(**kwargs)
        for attribute in cls.outside_calls:
            if attribute in cls.__dict__:
                setattr(cls, attribute, _outside(cls.__dict__[attribute]))

    @property
    def source(self) -> str:
        """Which implementation answered, as records and audit events name it."""
        return f"{self.name}:{self.code}"


Plugin = TypeVar("Plugin", bound=BasePlugin)
PluginClass = TypeVar("PluginClass", bound=type[BasePlugin])


# Every registry by label, for the start-up check.
KINDS: dict[str, "Registry"] = {}


class Registry(Generic[Plugin]):
    """The plugins of one kind, by (code, implementation name); the implementation that
    answers for a code is the one `settings.<setting>` names, else its default."""

    def __init__(
        self,
        kind: str,
        *,
        setting: str,
        label: str,
        default: str = SANDBOX,
        defaults: Mapping[str, str] | None = None,
    ):
        self.kind = kind
        self.setting = setting
        self.label = label  # the app that owns the kind; names its start-up check errors
        self.default = default
        self.defaults = dict(defaults or {})
        self._classes: dict[str, dict[str, type[Plugin]]] = {}
        KINDS[label] = self

    def register(self, code: str, name: str | None = None) -> Callable[[PluginClass], PluginClass]:
        """Class decorator; a second, different class under the same code and name is a
        configuration error (ImproperlyConfigured)."""
        name = name or self.defaults.get(code, self.default)

        def decorate(cls: PluginClass) -> PluginClass:
            implementations = self._classes.setdefault(code, {})
            known = implementations.get(name)
            if known is not None and _path(known) != _path(cls):
                raise ImproperlyConfigured(
                    f"{self.kind} plugin {code}/{name} is registered twice: "
                    f"{_path(known)} and {_path(cls)}"
                )
            cls.code, cls.name = code, name
            implementations[name] = cls  # type: ignore[assignment]
            return cls

        return decorate

    def unregister(self, code: str, name: str) -> None:
        """Forgets an implementation (a test's plugin, when the test ends)."""
        self._classes.get(code, {}).pop(name, None)

    def codes(self) -> list[str]:
        return sorted(code for code, names in self._classes.items() if names)

    def names(self, code: str) -> list[str]:
        return sorted(self._classes.get(code, {}))

    def items(self) -> Iterator[tuple[tuple[str, str], type[Plugin]]]:
        """Every registered implementation: ((code, name), class), sorted."""
        for code in self.codes():
            for name in self.names(code):
                yield (code, name), self._classes[code][name]

    def configured_name(self, code: str) -> str:
        """The implementation the settings choose for a code, else its default."""
        chosen: Mapping[str, str] = getattr(settings, self.setting, None) or {}
        return chosen.get(code) or self.defaults.get(code, self.default)

    def get(self, code: str, name: str | None = None) -> type[Plugin]:
        """The class of an implementation (the configured one unless named). UnknownPlugin
        for a code nobody serves; ImproperlyConfigured for a name nobody registered."""
        implementations = self._classes.get(code)
        if not implementations:
            raise UnknownPlugin(f"no {self.kind} plugin serves {code!r}")
        name = name or self.configured_name(code)
        if name not in implementations:
            raise ImproperlyConfigured(
                f"{self.setting} names {name!r} for {code!r}; known: {sorted(implementations)}"
            )
        return implementations[name]

    def configured(self, code: str) -> Plugin:
        """The implementation that answers for this code, ready to use."""
        return self.get(code)()

    def check(self) -> list[checks.CheckMessage]:
        """Start-up check: every code and implementation the setting names exists."""
        errors: list[checks.CheckMessage] = []
        for code, name in (getattr(settings, self.setting, None) or {}).items():
            if code not in self.codes():
                errors.append(
                    checks.Error(
                        f"{self.setting} names an unknown {self.kind} {code!r}.",
                        hint=f"Known: {', '.join(self.codes())}.",
                        id=f"{self.label}.E001",
                    )
                )
            elif name not in self.names(code):
                errors.append(
                    checks.Error(
                        f"{self.setting} names an unknown plugin {name!r} for {code!r}.",
                        hint=f"Known plugins: {', '.join(self.names(code))}.",
                        id=f"{self.label}.E002",
                    )
                )
        return errors


@checks.register()
def configured_plugins_exist(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Every plugin that settings name is registered (`<label>.E001`, `<label>.E002`)."""
    return [error for registry in KINDS.values() for error in registry.check()]


def _path(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"
