from decimal import Decimal
from typing import Literal

from django.utils.translation import get_language
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from onestop.catalog import selectors
from onestop.catalog.models import Agency, Service
from onestop.i18n import localized
from onestop.pagination import Listing, Page
from onestop.renderers import cached_answer

router = Router(tags=["catalogue"])


class Money(Schema):
    amount: Decimal = Field(..., examples=["1150.00"])
    currency: str = "KZT"


class Term(Schema):
    value: int
    unit: Literal["minutes", "hours", "working_days", "calendar_days"]


class StandardDocumentOut(Schema):
    name: str
    provided_by: Literal["applicant", "registry"]
    registry: str | None = None


class StandardStepOut(Schema):
    code: str
    name: str


class AgencyOut(Schema):
    code: str
    name: str
    short_name: str


class CategoryOut(Schema):
    code: str
    name: str


class ServiceOut(Schema):
    code: str
    name: str
    description: str
    agency: AgencyOut
    category: CategoryOut
    result: str
    fee: Money
    term: Term
    documents: list[StandardDocumentOut]
    channels: list[str]
    access: Literal["single", "alternative"]
    steps: list[StandardStepOut]
    instant: bool
    standard_version: int


class ServiceFilters(Schema):
    q: str = Field("", max_length=200, description="words to find, in any of the three languages")
    category: str = Field("", max_length=100)
    channel: Literal["", "oss", "portal", "pap", "call_centre", "mobile", "home_visit"] = ""
    agency: str = Field("", max_length=100)


class LifeSituationOut(Schema):
    code: str
    name: str
    description: str
    services: list[str]


def agency_out(agency: Agency) -> dict:
    return {"code": agency.code, "name": agency.name, "short_name": localized(agency, "short_name")}


def service_out(service: Service) -> dict:
    standard = service.current_standard
    return {
        "code": service.code,
        "name": service.name,
        "description": service.description,
        "agency": agency_out(service.agency),
        "category": {"code": service.category.code, "name": service.category.name},
        "result": service.result,
        "fee": {"amount": standard.fee_amount, "currency": standard.fee_currency},
        "term": {"value": standard.term_value, "unit": standard.term_unit},
        "documents": [
            {"name": d.name, "provided_by": d.provided_by, "registry": d.registry or None}
            for d in standard.documents.all()
        ],
        "channels": standard.channel_list,
        "access": standard.access,
        "steps": [{"code": s.code, "name": s.name} for s in standard.steps.all()],
        "instant": service.instant,
        "standard_version": standard.version,
    }


# Lists were paginated under this name before onestop.pagination.
ServicePage = Page


@router.get("/services", response=list[ServiceOut], summary="Search the register of services")
@paginate(Page)
def list_services(request, filters: Query[ServiceFilters]):
    return Listing(selectors.search_services(**filters.dict()), service_out)


@router.get("/services/{code}", response=ServiceOut, summary="One service and its standard")
def get_service(request, code: str):
    # The register changes a few times a year and is read all day: the answer is kept in
    # Django's cache under the register's version (catalog.selectors.register_version).
    key = f"service:{code}:{get_language()}:{selectors.register_version()}"
    return cached_answer(request, key, ServiceOut, lambda: service_out(selectors.get_service(code)))


@router.get("/life-situations", response=list[LifeSituationOut], summary="Life situations")
@paginate(Page)
def list_life_situations(request):
    return Listing(selectors.life_situations(), life_situation_out)


@router.get("/life-situations/{code}", response=LifeSituationOut, summary="One life situation")
def get_life_situation(request, code: str):
    return life_situation_out(selectors.get_life_situation(code))


def life_situation_out(situation) -> dict:
    return {
        "code": situation.code,
        "name": situation.name,
        "description": situation.description,
        "services": [s.code for s in situation.services.all()],
    }


@router.get("/agencies", response=list[AgencyOut], summary="Agencies that provide services")
@paginate(Page)
def list_agencies(request):
    return Listing(Agency.objects.all(), agency_out)
