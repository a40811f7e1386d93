"""Service centres (standard, specialized, mobile), their hours, windows and routes."""

import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.i18n import localized


def validate_timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("Unknown time zone."), code="invalid_timezone") from None


class Office(models.Model):
    class Kind(models.TextChoices):
        STANDARD = "standard", _("service centre")
        SPECIALIZED = "specialized", _("specialized service centre")
        MOBILE = "mobile", _("mobile service centre")

    code = models.SlugField(max_length=40, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.STANDARD)
    name_kk = models.CharField(max_length=300)
    name_ru = models.CharField(max_length=300)
    name_en = models.CharField(max_length=300)
    city_kk = models.CharField(max_length=100)
    city_ru = models.CharField(max_length=100)
    city_en = models.CharField(max_length=100)
    address_kk = models.CharField(max_length=300, blank=True)
    address_ru = models.CharField(max_length=300, blank=True)
    address_en = models.CharField(max_length=300, blank=True)
    timezone = models.CharField(
        max_length=64, default="Asia/Almaty", validators=[validate_timezone]
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    services = models.ManyToManyField("catalog.Service", related_name="offices", blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("service centre")
        verbose_name_plural = _("service centres")

    def __str__(self) -> str:
        return localized(self, "name")

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def city(self) -> str:
        return localized(self, "city")

    @property
    def address(self) -> str:
        return localized(self, "address")

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class OpeningHours(models.Model):
    """Hours of one weekday (0 is Monday) in the centre's own time zone."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(choices=[(i, str(i)) for i in range(7)])
    opens = models.TimeField(default=datetime.time(9, 0))
    closes = models.TimeField(default=datetime.time(20, 0))

    class Meta:
        ordering = ["office_id", "weekday"]
        constraints = [
            models.UniqueConstraint(fields=["office", "weekday"], name="one_hours_per_weekday"),
            models.CheckConstraint(
                condition=models.Q(opens__lt=models.F("closes")), name="opens_before_closes"
            ),
        ]


class Window(models.Model):
    """A counter in the front office where an operator serves visitors."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="windows")
    number = models.PositiveSmallIntegerField()
    services = models.ManyToManyField("catalog.Service", related_name="windows", blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["office_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["office", "number"], name="window_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.office.code} #{self.number}"


class RouteStop(models.Model):
    """A dated stop of a mobile centre in a settlement."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="route_stops")
    date = models.DateField()
    settlement_kk = models.CharField(max_length=200)
    settlement_ru = models.CharField(max_length=200)
    settlement_en = models.CharField(max_length=200)
    place_kk = models.CharField(max_length=300, blank=True)
    place_ru = models.CharField(max_length=300, blank=True)
    place_en = models.CharField(max_length=300, blank=True)
    starts = models.TimeField(default=datetime.time(10, 0))
    ends = models.TimeField(default=datetime.time(17, 0))

    class Meta:
        ordering = ["office_id", "date", "starts"]
        constraints = [
            models.UniqueConstraint(fields=["office", "date", "starts"], name="one_stop_at_a_time"),
            models.CheckConstraint(
                condition=models.Q(starts__lt=models.F("ends")), name="stop_starts_before_end"
            ),
        ]

    @property
    def settlement(self) -> str:
        return localized(self, "settlement")

    @property
    def place(self) -> str:
        return localized(self, "place")
