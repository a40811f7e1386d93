"""The sandbox's state registries: what a fake state holds about the demo population.

These tables stand in for systems the platform does not own (the real-estate cadastre,
the pension fund, vehicle registration, civil registry offices). Only the sandbox plugins
read them; a real plugin asks the state system instead. People are referred to by IIN, as
the state systems do, not by a foreign key to the platform's own records.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SandboxSubject(models.Model):
    """A person the sandbox has generated registry data for; loading again skips them."""

    iin = models.CharField("IIN", max_length=12, unique=True)
    seeded_on = models.DateField(_("seeded on"))

    class Meta:
        verbose_name = _("sandbox subject")
        verbose_name_plural = _("sandbox subjects")

    def __str__(self) -> str:
        return self.iin


class SandboxProperty(models.Model):
    """A title to real estate as the cadastre records it."""

    class Kind(models.TextChoices):
        FLAT = "flat", _("flat")
        HOUSE = "house", _("house")
        LAND_PLOT = "land_plot", _("land plot")

    owner_iin = models.CharField(_("owner IIN"), max_length=12, db_index=True)
    cadastral_number = models.CharField(_("cadastral number"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=300)
    area = models.DecimalField(_("area, m²"), max_digits=9, decimal_places=1)
    share = models.CharField(_("share"), max_length=7, default="1/1")
    registered_on = models.DateField(_("registered on"))
    # [{"kind": "mortgage" | "seizure", "holder": str, "registered_on": "YYYY-MM-DD"}]
    encumbrances = models.JSONField(_("encumbrances"), default=list, blank=True)

    class Meta:
        ordering = ["owner_iin", "registered_on", "cadastral_number"]
        verbose_name = _("sandbox property title")
        verbose_name_plural = _("sandbox property titles")

    def __str__(self) -> str:
        return self.cadastral_number


class SandboxPensionContribution(models.Model):
    """One month's compulsory pension contribution paid by an employer for a person."""

    iin = models.CharField("IIN", max_length=12)
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    employer_bin = models.CharField(_("employer BIN"), max_length=12)
    employer_name = models.CharField(_("employer"), max_length=300)
    amount = models.DecimalField(_("amount, KZT"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["iin", "month"]
        verbose_name = _("sandbox pension contribution")
        verbose_name_plural = _("sandbox pension contributions")
        constraints = [
            models.UniqueConstraint(
                fields=["iin", "month", "employer_bin"], name="one_contribution_a_month_each"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="contribution_positive"),
        ]
        indexes = [models.Index(fields=["iin", "month"])]

    def __str__(self) -> str:
        return f"{self.iin} {self.month:%Y-%m} {self.amount}"


class SandboxVehicle(models.Model):
    """A vehicle registered to a person."""

    owner_iin = models.CharField(_("owner IIN"), max_length=12, db_index=True)
    plate = models.CharField(_("number plate"), max_length=12, unique=True)
    make = models.CharField(_("make"), max_length=50)
    model = models.CharField(_("model"), max_length=50)
    year = models.PositiveSmallIntegerField(_("year of manufacture"))
    vin = models.CharField("VIN", max_length=17, unique=True)
    registered_on = models.DateField(_("registered on"))

    class Meta:
        ordering = ["owner_iin", "registered_on"]
        verbose_name = _("sandbox vehicle")
        verbose_name_plural = _("sandbox vehicles")

    def __str__(self) -> str:
        return self.plate


class SandboxCivilRecord(models.Model):
    """An act of civil status: a birth, or a marriage (with the date it was dissolved)."""

    class Kind(models.TextChoices):
        BIRTH = "birth", _("birth")
        MARRIAGE = "marriage", _("marriage")

    iin = models.CharField("IIN", max_length=12, db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    record_number = models.CharField(_("record number"), max_length=20)
    registered_on = models.DateField(_("registered on"))
    registry_office = models.CharField(_("registry office"), max_length=200)
    # Birth: where and to whom.
    place = models.CharField(_("place"), max_length=200, blank=True)
    father_name = models.CharField(_("father"), max_length=300, blank=True)
    mother_name = models.CharField(_("mother"), max_length=300, blank=True)
    # Marriage: to whom, and whether it was dissolved.
    spouse_iin = models.CharField(_("spouse IIN"), max_length=12, blank=True)
    spouse_name = models.CharField(_("spouse"), max_length=300, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)

    class Meta:
        ordering = ["iin", "registered_on"]
        verbose_name = _("sandbox civil status record")
        verbose_name_plural = _("sandbox civil status records")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="marriage") | models.Q(dissolved_on__isnull=True),
                name="only_marriages_are_dissolved",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.record_number}"
