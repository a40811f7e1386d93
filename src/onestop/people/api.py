from datetime import datetime

from django.contrib.auth import logout as end_session
from ninja import Field, Router, Schema
from ninja.responses import Status

from onestop.api_auth import session_or_token
from onestop.openapi import refusals
from onestop.people import services, tokens
from onestop.validation import Line

router = Router(tags=["people"])


class TokenRequest(Schema):
    username: Line = Field(..., max_length=150)
    password: str = Field(..., max_length=1024)


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


@router.post(
    "/auth/logout",
    response={204: None},
    auth=session_or_token,
    summary="Log out: end the calling token, or the page's session",
)
def logout(request):
    """A bearer token ends at once and for good; a page's session is logged out."""
    token = getattr(request, "bearer_token", None)
    if token is not None:
        tokens.revoke(token_hash=services.token_digest(token), actor=request.auth)
    else:
        end_session(request)
    return Status(204, None)


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
