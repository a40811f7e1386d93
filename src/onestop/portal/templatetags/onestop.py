"""Template helpers for citizen-facing pages: money, terms and channels in plain words."""

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from onestop.catalog.models import Channel
from onestop.i18n import localized

register = template.Library()


@register.filter
def money(amount) -> str:
    """1150.00 -> "1 150 ₸"; zero -> "free"."""
    if amount is None:
        return ""
    amount = Decimal(amount)
    if amount == 0:
        return _("free")
    whole, cents = divmod(amount.quantize(Decimal("0.01")), 1)
    text = f"{int(whole):,}".replace(",", "\u00a0")
    if cents:
        text += "," + f"{cents:.2f}"[2:]
    return f"{text}\u00a0₸"


@register.filter
def term(standard) -> str:
    value, unit = standard.term_value, standard.term_unit
    if unit == "minutes":
        return ngettext("%(n)d minute", "%(n)d minutes", value) % {"n": value}
    if unit == "hours":
        return ngettext("%(n)d hour", "%(n)d hours", value) % {"n": value}
    if unit == "working_days":
        return ngettext("%(n)d working day", "%(n)d working days", value) % {"n": value}
    return ngettext("%(n)d calendar day", "%(n)d calendar days", value) % {"n": value}


@register.filter
def channel_name(code: str) -> str:
    return str(Channel(code).label) if code in Channel.values else code


@register.simple_tag
def text(obj, field: str) -> str:
    return localized(obj, field)


@register.simple_tag(takes_context=True)
def url_with_lang(context, language: str) -> str:
    """The current page in another language."""
    request = context["request"]
    query = request.GET.copy()
    query["lang"] = language
    return f"{request.path}?{query.urlencode()}"
