"""Transfers of days off announced by the government, entered by an administrator."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayTransfer(models.Model):
    """One date whose status the government changed: a weekend day made working, or a
    weekday made a day off. It overrides the statutory calendar for that date."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("day off")
        WORKING_DAY = "working_day", _("working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    note = models.CharField(
        _("note"), max_length=300, blank=True, help_text=_("For example, the decree number.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("transfer of a day off")
        verbose_name_plural = _("transfers of days off")

    def __str__(self) -> str:
        return f"{self.date.isoformat()}: {self.get_kind_display()}"
