"""People the platform knows: citizens (by IIN), legal entities (by BIN) and staff accounts
with one role each, scoped to a centre or an agency."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.people.iin import validate_bin, validate_iin


class Role(models.TextChoices):
    CITIZEN = "citizen", _("citizen")
    CONSULTANT = "consultant", _("consultant")
    OPERATOR = "operator", _("operator")
    MANAGER = "manager", _("centre manager")
    REVIEWER = "reviewer", _("reviewer")
    HEAD = "head", _("agency head")
    AGENT = "agent", _("call-centre agent")
    ANALYST = "analyst", _("situational-centre analyst")
    ADMIN = "admin", _("standards administrator")
    AUDITOR = "auditor", _("auditor")


OFFICE_ROLES = {Role.CONSULTANT, Role.OPERATOR, Role.MANAGER}
AGENCY_ROLES = {Role.REVIEWER, Role.HEAD}


def refuse_invisible_characters(instance: models.Model, fields: list[str]) -> None:
    """Names shown to others hold no control or invisible formatting character (a
    right-to-left override would let one name pass for another): for the admin's forms."""
    from onestop.validation import validate_line

    errors = {}
    for field in fields:
        try:
            validate_line(getattr(instance, field) or "")
        except ValidationError as error:
            errors[field] = error.messages
    if errors:
        raise ValidationError(errors)


class Person(models.Model):
    """A natural person as the population registry knows him or her."""

    class Sex(models.TextChoices):
        MALE = "male", _("male")
        FEMALE = "female", _("female")

    iin = models.CharField("IIN", max_length=12, unique=True, validators=[validate_iin])
    last_name = models.CharField(_("last name"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(max_length=6, choices=Sex.choices)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=2, default="kk")
    city = models.CharField(_("city"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    has_disability = models.BooleanField(default=False)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.full_name

    def clean(self) -> None:
        super().clean()
        refuse_invisible_characters(self, ["last_name", "first_name", "patronymic", "address"])

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)


class LegalEntity(models.Model):
    bin = models.CharField("BIN", max_length=12, unique=True, validators=[validate_bin])
    name = models.CharField(_("name"), max_length=300)
    head = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    registered_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("legal entity")
        verbose_name_plural = _("legal entities")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """An account: a citizen (username is the IIN) or a member of staff with one role,
    scoped to a centre (front office) or an agency (back office)."""

    role = models.CharField(max_length=12, choices=Role.choices, default=Role.CITIZEN)
    person = models.OneToOneField(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="account"
    )
    office = models.ForeignKey(
        "offices.Office", on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    window_number = models.PositiveSmallIntegerField(null=True, blank=True)
    agency = models.ForeignKey(
        "catalog.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=["consultant", "operator", "manager"])
                | models.Q(office__isnull=False),
                name="front_office_staff_have_an_office",
            ),
            models.CheckConstraint(
                condition=~models.Q(role__in=["reviewer", "head"]) | models.Q(agency__isnull=False),
                name="back_office_staff_have_an_agency",
            ),
        ]

    def clean(self) -> None:
        super().clean()
        refuse_invisible_characters(self, ["username", "first_name", "last_name"])

    @property
    def display_name(self) -> str:
        if self.person_id:
            return self.person.full_name
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "expires_at"])]
