"""The result document of an application: what it says, in the applicant's language.

Instant certificates are built from the registry records fetched at filing; other
services get the agency's decision. The PDF is rendered by `onestop.results.pdf` and
signed by the caller."""

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from onestop.cases.models import Application, Document


def _registry(application: Application, code: str) -> dict:
    document = application.documents.filter(source=Document.Source.REGISTRY, registry=code).first()
    return document.data if document else {}


def _rows_for(application: Application) -> tuple[list[tuple[str, str]], list[str]]:
    person = application.applicant
    rows = [
        (_("Full name"), person.full_name),
        (_("IIN"), person.iin),
        (_("Date of birth"), person.birth_date.strftime("%d.%m.%Y")),
    ]
    paragraphs: list[str] = []
    code = application.service.code
    if code == "address-certificate":
        population = _registry(application, "population")
        rows.append((_("Registered address"), population.get("address") or person.address))
        paragraphs.append(
            _("The person is registered at this address according to the population registry.")
        )
    elif code == "real-estate-certificate":
        titles = _registry(application, "real_estate").get("titles", [])
        if titles:
            paragraphs.append(_("The real-estate registry holds these rights of the person:"))
            for title in titles:
                rows.append(
                    (
                        title.get("cadastral_number", ""),
                        "; ".join(
                            str(v)
                            for v in (
                                title.get("address"),
                                title.get("kind"),
                                f"{title.get('area_m2', '')} m²",
                                title.get("share"),
                            )
                            if v
                        ),
                    )
                )
        else:
            paragraphs.append(
                _(
                    "The real-estate registry holds no rights to real estate of this person in Kazakhstan."
                )
            )
    elif code == "pension-contributions-certificate":
        pensions = _registry(application, "pensions")
        contributions = pensions.get("contributions", [])
        if contributions:
            rows.append((_("Total"), f"{pensions.get('total', '')} ₸"))
        for item in contributions:
            rows.append(
                (
                    item.get("month", ""),
                    f"{item.get('amount', '')} ₸ · {item.get('employer_name', item.get('employer_bin', ''))}",
                )
            )
        if not contributions:
            paragraphs.append(
                _("No compulsory pension contributions were received in the last 24 months.")
            )
    else:
        rows.append((_("Service"), application.service.name))
        rows.append((_("Decision"), _("approved")))
        if application.decision_reason:
            paragraphs.append(application.decision_reason)
        paragraphs.append(application.service.result)
    return rows, paragraphs


def render_result(application: Application) -> bytes:
    from onestop.results.pdf import render_certificate_pdf

    language = application.applicant.language or "kk"
    with translation.override(language):
        rows, paragraphs = _rows_for(application)
        return render_certificate_pdf(
            title=application.service.result or application.service.name,
            issuer=application.agency.name,
            number=application.number,
            issued_at=timezone.localtime(application.decided_at or timezone.now()),
            language=language,
            rows=rows,
            paragraphs=paragraphs,
            footer=_(
                "Signed electronically by %(agency)s. Check the signature: /api/v1/applications/%(number)s/result.p7s "
                "with the platform's certificates at /api/v1/signatures/ca."
            )
            % {"agency": application.agency.name, "number": application.number},
        )
