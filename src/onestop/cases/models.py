"""Applications for public services: one lifecycle for every channel, an append-only
history, the reviewer drawn at random, documents with their checksums."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.catalog.models import StandardDocument


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned for documents")
    ACCEPTED = "accepted", _("accepted")
    ASSIGNED = "assigned", _("under review")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("refused")
    READY = "ready", _("result ready")
    ISSUED = "issued", _("issued")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Application(models.Model):
    """One application by one person (or company) for one service, under the standard
    version in force when it was filed. A life situation is a parent with one child
    application per service."""

    number = models.CharField(max_length=20, unique=True)
    service = models.ForeignKey(
        "catalog.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    standard = models.ForeignKey(
        "catalog.Standard",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    life_situation = models.ForeignKey(
        "catalog.LifeSituation", on_delete=models.PROTECT, null=True, blank=True
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="parts"
    )
    applicant = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="applications"
    )
    entity = models.ForeignKey(
        "people.LegalEntity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    channel = models.CharField(max_length=12)
    office = models.ForeignKey(
        "offices.Office",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="filed_applications"
    )
    agency = models.ForeignKey(
        "catalog.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    # Who decides. Never shown to the applicant or the front office.
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_applications",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    # Returning an application for documents stops its clock; what remained is kept here.
    clock_stopped_at = models.DateTimeField(null=True, blank=True)
    remaining_term = models.PositiveIntegerField(null=True, blank=True)
    overdue = models.BooleanField(default=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["reviewer", "status"]),
            models.Index(fields=["agency", "status"]),
            models.Index(fields=["office", "status"]),
        ]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self) -> str:
        return self.number

    @property
    def is_bundle(self) -> bool:
        return self.life_situation_id is not None and self.service_id is None


class StatusChange(models.Model):
    """One step of an application's history. Appended, never edited."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=Status.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["application_id", "at", "id"]


class Assignment(models.Model):
    """A recorded draw of a reviewer: who was eligible, the random seed and who came out,
    so that an auditor can recompute it (`onestop audit assignment NUMBER`)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="assignments"
    )
    drawn_at = models.DateTimeField()
    eligible = models.JSONField(help_text="usernames of eligible reviewers, sorted")
    seed = models.CharField(max_length=64)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=40)
    previous_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["application_id", "drawn_at", "id"]


class ReviewerSkill(models.Model):
    """A reviewer may decide applications for this service."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="skills"
    )
    service = models.ForeignKey("catalog.Service", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reviewer", "service"], name="one_skill_per_service")
        ]


class Leave(models.Model):
    """A reviewer away (holiday, sick leave): not drawn, and his or her open cases move."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="leaves"
    )
    starts = models.DateField()
    ends = models.DateField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts__lte=models.F("ends")), name="leave_starts_before_end"
            )
        ]


class Document(models.Model):
    """A document of an application: uploaded by the applicant, fetched from a state
    registry, or the result the agency issued. Files live outside the database."""

    class Source(models.TextChoices):
        APPLICANT = "applicant", _("brought by the applicant")
        OPERATOR = "operator", _("added by the centre's staff")
        REGISTRY = "registry", _("fetched from a registry")
        RESULT = "result", _("result")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    source = models.CharField(max_length=10, choices=Source.choices)
    # The standard's document this answers, so its name shows in the reader's language.
    standard_document = models.ForeignKey(
        "catalog.StandardDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(max_length=300)
    registry = models.CharField(
        max_length=20, blank=True, choices=StandardDocument.Registry.choices
    )
    file = models.FileField(upload_to="documents/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    signature = models.FileField(upload_to="documents/%Y/%m/", blank=True)
    data = models.JSONField(default=dict, blank=True)
    fetched_from = models.CharField(max_length=100, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application_id", "id"]

    @property
    def title(self) -> str:
        """The document's name in the reader's language where the standard names it."""
        if self.standard_document_id:
            return self.standard_document.name
        if self.source == self.Source.RESULT and self.application.service_id:
            return self.application.service.result or self.application.service.name
        return self.name


class StepRecord(models.Model):
    """A completed step of a multi-step service (photo, medical check, exams, issue)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="steps_done"
    )
    code = models.SlugField(max_length=40)
    position = models.PositiveSmallIntegerField()
    station = models.CharField(max_length=100)
    done_at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["application_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["application", "code"], name="step_done_once")
        ]
