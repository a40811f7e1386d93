"""The platform's certification authority: its CA certificates and the certificates it issued
to agencies, each with its private key encrypted at rest.

Keys live in the database rather than in files: web and worker processes on several machines
share one database, so they share one CA, and the same row that stores a CA is what makes
its creation happen once. The passphrase comes from SECRET_KEY, which is not in the database.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onestop.signatures import pki


class Authority(models.Model):
    """A certificate of the platform's PKI: the root CA, the issuing CA, an agency's
    signing certificate, or the one that signs the audit trail's checkpoints. The private
    key is only ever stored encrypted."""

    class Kind(models.TextChoices):
        ROOT = "root", _("root CA")
        ISSUING = "issuing", _("issuing CA")
        AGENCY = "agency", _("agency signing certificate")
        AUDIT = "audit", _("audit trail signing certificate")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    agency = models.ForeignKey(
        "catalog.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signing_certificates",
    )
    issuer = models.ForeignKey(
        "self",
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issued",
    )
    subject = models.CharField(_("subject"), max_length=500)
    serial = models.CharField(_("serial number"), max_length=40, unique=True)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    certificate_pem = models.TextField(_("certificate (PEM)"))
    encrypted_key_pem = models.TextField(editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revocation_reason = models.CharField(_("reason for revocation"), max_length=200, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        indexes = [models.Index(fields=["agency", "not_after"])]
        constraints = [
            # One live root and one live issuing CA: this is what stops two processes that
            # start at once from creating two hierarchies.
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(kind__in=["root", "issuing"], revoked_at__isnull=True),
                name="signatures_one_live_ca_of_each_kind",
            ),
            models.CheckConstraint(
                condition=(Q(kind="agency") & Q(agency__isnull=False))
                | (~Q(kind="agency") & Q(agency__isnull=True)),
                name="signatures_agency_only_on_agency_certificates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.serial})"

    def certificate(self):
        return pki.load_certificate(self.certificate_pem)
