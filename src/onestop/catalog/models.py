"""The register of public services: agencies, categories, services, their versioned
standards, and life situations that bundle services."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.i18n import localized


class Agency(models.Model):
    """A state body that provides services and decides on applications (back office)."""

    code = models.SlugField(max_length=20, unique=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=300)
    name_ru = models.CharField(_("name (Russian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)
    short_name_kk = models.CharField(max_length=100, blank=True)
    short_name_ru = models.CharField(max_length=100, blank=True)
    short_name_en = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return localized(self, "short_name") or localized(self, "name")

    @property
    def name(self) -> str:
        return localized(self, "name")


class Category(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name_kk = models.CharField(max_length=200)
    name_ru = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    icon = models.CharField(max_length=8, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    # Tickets for this topic's services are numbered with this letter (A017).
    queue_letter = models.CharField(_("queue letter"), max_length=1, default="A")

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return localized(self, "name")

    @property
    def name(self) -> str:
        return localized(self, "name")


class Channel(models.TextChoices):
    OSS = "oss", _("Service centre")
    PORTAL = "portal", _("Portal")
    PAP = "pap", _("Self-service point")
    CALL_CENTRE = "call_centre", _("Call centre 1414")
    MOBILE = "mobile", _("Mobile centre")
    HOME_VISIT = "home_visit", _("Home visit")


class Service(models.Model):
    """A public service as the citizen sees it; what it takes is in its current standard."""

    code = models.SlugField(max_length=60, unique=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="services")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="services")
    name_kk = models.CharField(_("name (Kazakh)"), max_length=300)
    name_ru = models.CharField(_("name (Russian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)
    description_kk = models.TextField(_("description (Kazakh)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    result_kk = models.CharField(_("result (Kazakh)"), max_length=300, blank=True)
    result_ru = models.CharField(_("result (Russian)"), max_length=300, blank=True)
    result_en = models.CharField(_("result (English)"), max_length=300, blank=True)
    instant = models.BooleanField(
        _("instant"), default=False, help_text=_("Produced automatically from the registries.")
    )
    is_active = models.BooleanField(_("offered"), default=True)
    current_standard = models.OneToOneField(
        "Standard",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The published standard applications are filed under."),
    )
    # Case-folded names, descriptions and agency in every language, for search that
    # behaves the same on SQLite and PostgreSQL (SQLite's LOWER() knows only ASCII).
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["category__position", "code"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return localized(self, "name")

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def description(self) -> str:
        return localized(self, "description")

    @property
    def result(self) -> str:
        return localized(self, "result")


class Standard(models.Model):
    """What a service takes and gives, as one version. Published versions never change:
    an application keeps the version it was filed under; a change is a new version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        RETIRED = "retired", _("retired")

    class TermUnit(models.TextChoices):
        MINUTES = "minutes", _("minutes")
        HOURS = "hours", _("hours")
        WORKING_DAYS = "working_days", _("working days")
        CALENDAR_DAYS = "calendar_days", _("calendar days")

    class Access(models.TextChoices):
        SINGLE = "single", _("single access: only through the single window")
        ALTERNATIVE = "alternative", _("alternative access: the agency also takes it directly")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="standards")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    fee_amount = models.DecimalField(_("state fee, KZT"), max_digits=12, decimal_places=2)
    fee_currency = models.CharField(max_length=3, default="KZT")
    term_value = models.PositiveIntegerField(_("term"))
    term_unit = models.CharField(_("term unit"), max_length=14, choices=TermUnit.choices)
    # Channel codes, comma-delimited and wrapped in commas (",oss,portal,") so that
    # "offered through X" is one portable LIKE on both databases.
    channels = models.CharField(_("channels"), max_length=120)
    access = models.CharField(_("access"), max_length=12, choices=Access.choices)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["service_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["service", "version"], name="standard_version_unique"),
            models.CheckConstraint(condition=models.Q(fee_amount__gte=0), name="fee_not_negative"),
            models.CheckConstraint(condition=models.Q(term_value__gt=0), name="term_positive"),
        ]
        verbose_name = _("standard")
        verbose_name_plural = _("standards")

    def __str__(self) -> str:
        return f"{self.service.code} v{self.version}"

    @property
    def channel_list(self) -> list[str]:
        return [c for c in self.channels.split(",") if c]

    def offers(self, channel: str) -> bool:
        return f",{channel}," in self.channels


class StandardDocument(models.Model):
    class ProvidedBy(models.TextChoices):
        APPLICANT = "applicant", _("the applicant brings it")
        REGISTRY = "registry", _("the state fetches it from a registry")

    class Registry(models.TextChoices):
        POPULATION = "population", _("population registry")
        REAL_ESTATE = "real_estate", _("real-estate registry")
        PENSIONS = "pensions", _("pension registry")
        VEHICLES = "vehicles", _("vehicle registry")
        CIVIL_STATUS = "civil_status", _("civil status registry")
        BUSINESS = "business", _("business registry")

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="documents")
    position = models.PositiveSmallIntegerField(default=0)
    name_kk = models.CharField(max_length=300)
    name_ru = models.CharField(max_length=300)
    name_en = models.CharField(max_length=300)
    provided_by = models.CharField(max_length=10, choices=ProvidedBy.choices)
    registry = models.CharField(max_length=20, choices=Registry.choices, blank=True)

    class Meta:
        ordering = ["standard_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(provided_by="applicant", registry="")
                | (models.Q(provided_by="registry") & ~models.Q(registry="")),
                name="document_registry_when_fetched",
            )
        ]

    def __str__(self) -> str:
        return localized(self, "name")

    @property
    def name(self) -> str:
        return localized(self, "name")


class StandardStep(models.Model):
    """A step of a multi-step service (driving licence: photo, medical check, exams, issue)."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(default=0)
    code = models.SlugField(max_length=40)
    name_kk = models.CharField(max_length=200)
    name_ru = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)

    class Meta:
        ordering = ["standard_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="step_code_unique")
        ]

    def __str__(self) -> str:
        return localized(self, "name")

    @property
    def name(self) -> str:
        return localized(self, "name")


class LifeSituation(models.Model):
    """An event in a person's life (birth of a child, retirement) and the services it needs."""

    code = models.SlugField(max_length=60, unique=True)
    name_kk = models.CharField(max_length=300)
    name_ru = models.CharField(max_length=300)
    name_en = models.CharField(max_length=300)
    description_kk = models.TextField(blank=True)
    description_ru = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    services = models.ManyToManyField(Service, through="LifeSituationService")

    class Meta:
        ordering = ["code"]
        verbose_name = _("life situation")
        verbose_name_plural = _("life situations")

    def __str__(self) -> str:
        return localized(self, "name")

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def description(self) -> str:
        return localized(self, "description")


class LifeSituationService(models.Model):
    life_situation = models.ForeignKey(LifeSituation, on_delete=models.CASCADE)
    service = models.ForeignKey(Service, on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["life_situation_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["life_situation", "service"], name="life_situation_service_unique"
            )
        ]
