"""Public pages: the catalogue in plain words, in the visitor's language."""

from django.contrib.auth import views as auth_views
from django.http import Http404
from django.shortcuts import render

from onestop.catalog import selectors
from onestop.offices import selectors as office_selectors
from onestop.problems import NotFound
from onestop.ratelimit import RateLimited


def home(request):
    return render(
        request,
        "portal/home.html",
        {
            "categories": selectors.categories(),
            "life_situations": selectors.life_situations(),
            "popular": selectors.published_services()[:6],
        },
    )


def catalogue(request):
    q = request.GET.get("q", "")[:200]
    category = request.GET.get("category", "")
    channel = request.GET.get("channel", "")
    services = selectors.search_services(q=q, category=category, channel=channel)
    context = {
        "services": services,
        "q": q,
        "category": category,
        "channel": channel,
        "categories": selectors.categories(),
    }
    template = (
        "portal/_service_list.html"
        if request.headers.get("HX-Request")
        else "portal/catalogue.html"
    )
    return render(request, template, context)


def category_page(request, code):
    try:
        category = selectors.get_category(code)
    except NotFound:
        raise Http404 from None
    return render(
        request,
        "portal/category.html",
        {"category": category, "services": selectors.search_services(category=code)},
    )


def service_page(request, code):
    try:
        service = selectors.get_service(code)
    except NotFound:
        raise Http404 from None
    standard = service.current_standard
    documents = list(standard.documents.all())
    return render(
        request,
        "portal/service.html",
        {
            "service": service,
            "standard": standard,
            "bring": [d for d in documents if d.provided_by == "applicant"],
            "fetched": [d for d in documents if d.provided_by == "registry"],
            "steps": list(standard.steps.all()),
            "offices": _with_waits(office_selectors.offices_offering(service), service),
        },
    )


def _with_waits(offices, service) -> list[tuple]:
    """Centres offering the service with their estimated wait now, shortest first, so that
    a person can choose a less loaded one (mobile centres are listed by their route)."""
    from django.core.cache import cache

    from onestop.queueing.services import estimate_wait, is_open

    def wait_now(office):
        if office.kind == "mobile" or not is_open(office):
            return None
        return estimate_wait(office=office, service=service)

    # The catalogue is the busiest public page: each estimate is reused for 15 seconds.
    rows = [
        (
            office,
            cache.get_or_set(f"wait:{office.pk}:{service.pk}", lambda o=office: wait_now(o), 15),
        )
        for office in offices
    ]
    return sorted(rows, key=lambda row: (row[1] is None, row[1] or 0))


def life_situations_page(request):
    return render(
        request, "portal/life_situations.html", {"life_situations": selectors.life_situations()}
    )


def life_situation_page(request, code):
    try:
        situation = selectors.get_life_situation(code)
    except NotFound:
        raise Http404 from None
    return render(request, "portal/life_situation.html", {"situation": situation})


def offices_page(request):
    return render(request, "portal/offices.html", {"offices": office_selectors.offices()})


class LoginView(auth_views.LoginView):
    """The login page, behind the same lock-out as the API's token endpoint: the
    authentication backend refuses a locked account or client before checking the password."""

    template_name = "portal/login.html"

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except RateLimited as limited:
            response = render(
                request,
                "portal/login.html",
                {
                    # Unbound: a bound form would check the password again.
                    "form": self.get_form_class()(
                        request, initial={"username": request.POST.get("username", "")}
                    ),
                    "limited": limited.detail,
                },
                status=429,
            )
            response["Retry-After"] = str(limited.retry_after)
            return response
