import datetime
from typing import Annotated, Literal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import PlainSerializer, WithJsonSchema

from onestop.offices import selectors
from onestop.offices.models import Office
from onestop.pagination import Listing, Page
from onestop.queueing import selectors as queue

router = Router(tags=["centres"])

# A time of day on the centre's clock (its `timezone`), as "09:00:00". It has no offset, so
# it is not an RFC 3339 `time`: the document says what is sent.
LocalTime = Annotated[
    datetime.time,
    PlainSerializer(lambda value: value.strftime("%H:%M:%S"), return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$",
            "description": "local time at the centre (see its timezone), HH:MM:SS",
            "examples": ["09:00:00"],
        }
    ),
]


class HoursOut(Schema):
    weekday: int
    opens: LocalTime
    closes: LocalTime


class WindowOut(Schema):
    number: int
    services: list[str]


class StopOut(Schema):
    date: datetime.date
    settlement: str
    place: str
    starts: LocalTime
    ends: LocalTime


class OfficeOut(Schema):
    code: str
    name: str
    city: str
    address: str
    kind: Literal["standard", "specialized", "mobile"]
    timezone: str
    hours: list[HoursOut]
    windows: list[WindowOut]
    services: list[str]
    route: list[StopOut]
    waiting: int
    estimated_wait_minutes: float


class OfficeFilters(Schema):
    city: str = Field("", max_length=100)
    service: str = Field("", max_length=100)
    kind: Literal["", "standard", "specialized", "mobile"] = ""


def office_out(office: Office) -> dict:
    return {
        "code": office.code,
        "name": office.name,
        "city": office.city,
        "address": office.address,
        "kind": office.kind,
        "timezone": office.timezone,
        "hours": [
            {"weekday": h.weekday, "opens": h.opens, "closes": h.closes} for h in office.hours.all()
        ],
        "windows": [
            {"number": w.number, "services": [s.code for s in w.services.all()]}
            for w in office.windows.all()
        ],
        "services": [s.code for s in office.services.all()],
        "route": [
            {
                "date": s.date,
                "settlement": s.settlement,
                "place": s.place,
                "starts": s.starts,
                "ends": s.ends,
            }
            for s in office.route_stops.all()
        ],
        "waiting": queue.waiting_at(office),
        "estimated_wait_minutes": queue.office_wait_minutes(office),
    }


@router.get("/offices", response=list[OfficeOut], summary="Service centres")
@paginate(Page)
def list_offices(request, filters: Query[OfficeFilters]):
    found = selectors.offices()
    if filters.city:
        found = [
            o
            for o in found
            if filters.city.casefold() in (o.city_kk + o.city_ru + o.city_en).casefold()
        ]
    if filters.kind:
        found = [o for o in found if o.kind == filters.kind]
    if filters.service:
        found = [o for o in found if any(s.code == filters.service for s in o.services.all())]
    return Listing(found, office_out)


@router.get("/offices/{code}", response=OfficeOut, summary="One service centre")
def get_office(request, code: str):
    return office_out(selectors.get_office(code))
