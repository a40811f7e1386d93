"""Notification channels as plugins: a sandbox SMS gateway that keeps what it sent (and
fails like a real one when told to), and e-mail through Django's configured backend.
A real SMS provider slots in beside the sandbox with `@register("sms", "provider-name")` and
is chosen by `NOTIFY_PLUGINS = {"sms": "provider-name"}` (onestop/plugins.py)."""

import abc
import random
import re
import secrets
import time

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.utils import DNS_NAME

from onestop.plugins import BasePlugin, Registry


class ChannelUnavailable(Exception):
    """The channel failed for now; the message is retried later."""


class BadRecipient(Exception):
    """The message can never be delivered to this recipient; it is not retried."""


class ChannelPlugin(BasePlugin, abc.ABC):
    """One way of sending messages on one channel ("sms", "email"). `send` refuses to run
    inside a transaction: messages leave from a task, after the change they report."""

    outside_calls = ("send",)

    @abc.abstractmethod
    def send(self, *, recipient: str, subject: str, text: str, message_id: str = "") -> str:
        """Sends one message; returns the provider's id for it. `message_id` is the sender's
        own id for the message: a provider drops a second message with the same id."""


channels: Registry[ChannelPlugin] = Registry(
    "notification channel",
    setting="NOTIFY_PLUGINS",
    label="notify",
    defaults={"email": "django"},
)
register = channels.register


def plugin_for(channel: str) -> ChannelPlugin:
    """The configured plugin of a channel: `settings.NOTIFY_PLUGINS`, else the sandbox for
    SMS and Django's e-mail backend for e-mail."""
    return channels.configured(channel)


PHONE = re.compile(r"^\+7\d{10}$")
_failures = random.Random(1414)


@register("sms")
class SandboxSmsGateway(ChannelPlugin):
    """Accepts Kazakh mobile numbers (+7 and ten digits), stores each message in
    `SandboxSms`, takes `SANDBOX_SMS_LATENCY_MS` to answer, and fails when `SANDBOX_SMS_DOWN`
    is set or at `SANDBOX_SMS_FAILURE_RATE`.
    Like a real gateway it drops a message whose id it has already sent: `SandboxSms` holds
    one row per real send."""

    def send(self, *, recipient: str, subject: str, text: str, message_id: str = "") -> str:
        from onestop.notify.models import SandboxSms

        if not PHONE.match(recipient):
            raise BadRecipient(f"not a mobile number: {recipient}")
        if getattr(settings, "SANDBOX_SMS_DOWN", False):
            raise ChannelUnavailable("sandbox SMS gateway is down")
        if _failures.random() < getattr(settings, "SANDBOX_SMS_FAILURE_RATE", 0.0):
            raise ChannelUnavailable("sandbox SMS gateway timed out")
        if latency := getattr(settings, "SANDBOX_SMS_LATENCY_MS", 0):
            time.sleep(latency / 1000)  # a gateway on the other side of a network
        message, _sent_now = SandboxSms.objects.get_or_create(
            gateway_id=message_id or secrets.token_hex(10),
            defaults={"phone": recipient, "text": text[:1000]},
        )
        return message.gateway_id


@register("email")
class DjangoEmail(ChannelPlugin):
    """E-mail through Django's EMAIL_BACKEND (SMTP in production, files in the demo)."""

    def send(self, *, recipient: str, subject: str, text: str, message_id: str = "") -> str:
        # The sender's id goes in the Message-ID header, for the mail system to drop repeats.
        headers = {"Message-ID": f"<{message_id}@{DNS_NAME}>"} if message_id else {}
        message = EmailMessage(
            subject, text, settings.DEFAULT_FROM_EMAIL, [recipient], headers=headers
        )
        try:
            message.send()
        except OSError as error:
            raise ChannelUnavailable(str(error)) from error
        return message_id or secrets.token_hex(10)
