from datetime import datetime

from ninja import Router, Schema

from onestop.api_auth import session_or_token
from onestop.openapi import refusals
from onestop.people import services

router = Router(tags=["people"])


class TokenRequest(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    expires_at: datetime


class MeOut(Schema):
    username: str
    role: str
    office: str | None
    agency: str | None
    name: str


@router.post(
    "/auth/token",
    response={200: TokenOut, **refusals(401)},
    summary="Log in and get a bearer token",
)
def issue_token(request, payload: TokenRequest):
    token, api_token = services.issue_token(
        request=request, username=payload.username, password=payload.password
    )
    return {"token": token, "expires_at": api_token.expires_at}


@router.get("/me", response=MeOut, auth=session_or_token, summary="Who am I")
def me(request):
    user = request.auth
    return {
        "username": user.username,
        "role": user.role,
        "office": user.office.code if user.office_id else None,
        "agency": user.agency.code if user.agency_id else None,
        "name": user.display_name,
    }
