"""Prepares a freshly migrated, demo-loaded database for bench/load.py and prints what the
load generator needs as one JSON object.

- `bench-24h`: a centre open around the clock (00:00-23:59:59, all 7 days) with 8 windows
  serving every service of astana-esil, and an operator account at each window
  (bench-op1..8, demo password). Tickets are issued here.
- `bench-calls`: the same, with one window and one operator per load-generator connection
  (bench-call1..N): an operator calls the next visitor only after finishing the previous
  one, so concurrent callers need windows of their own. bench/housekeeping.py fills its
  queue before each measurement.
- `bench-city-01` ... `bench-city-NN` (`--city-centres`, 20 by default): more centres
  like `bench-24h`, with 4 windows each and a kiosk each, for issuing tickets across a
  city's centres at once.
- an application filed at bench-24h for a person of the demo population, whose own token
  is used for the status look-ups.

Run with the server's environment (ONESTOP_DATA_DIR, ONESTOP_DATABASE_URL).
"""

import argparse
import datetime
import json
import os
import secrets

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--windows", type=int, default=8)
    parser.add_argument("--call-windows", type=int, default=200)
    parser.add_argument("--city-centres", type=int, default=20)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")
    django.setup()

    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from onestop.cases import services as cases
    from onestop.offices.models import Office, OpeningHours, Window
    from onestop.people.models import ApiToken, Person, Role, User
    from onestop.people.services import token_digest
    from onestop.queueing.services import register_device

    template = Office.objects.get(code="astana-esil")
    services = list(template.services.all())
    password = make_password(settings.DEMO_PASSWORD)

    def centre(code: str, windows: int, prefix: str) -> tuple[Office, list[User]]:
        office, _created = Office.objects.update_or_create(
            code=code,
            defaults={
                "kind": Office.Kind.STANDARD,
                "timezone": template.timezone,
                **{
                    f"{field}_{lang}": f"Benchmark {code}"
                    for field in ("name", "city", "address")
                    for lang in ("kk", "ru", "en")
                },
            },
        )
        for weekday in range(7):
            OpeningHours.objects.update_or_create(
                office=office,
                weekday=weekday,
                defaults={"opens": datetime.time(0, 0), "closes": datetime.time(23, 59, 59)},
            )
        office.services.set(services)
        operators = []
        for number in range(1, windows + 1):
            window, _created = Window.objects.get_or_create(office=office, number=number)
            window.services.set(services)
            user, _created = User.objects.update_or_create(
                username=f"{prefix}{number}",
                defaults={
                    "role": Role.OPERATOR,
                    "office": office,
                    "window_number": number,
                    "password": password,
                    "first_name": "Bench",
                    "last_name": f"{prefix}{number}",
                },
            )
            operators.append(user)
        return office, operators

    with transaction.atomic():
        office, _operators = centre("bench-24h", args.windows, "bench-op")
        calls, call_operators = centre("bench-calls", args.call_windows, "bench-call")
        city = []
        for n in range(1, args.city_centres + 1):
            code = f"bench-city-{n:02d}"
            branch, _operators = centre(code, 4, f"bench-c{n:02d}-op")
            _device, kiosk = register_device(
                actor=None, office=branch, kind="kiosk", name=f"kiosk {code}"
            )
            city.append([code, kiosk])

    # Tokens for the call-window operators, made the way a login makes them: hashing the
    # password hundreds of times over HTTP would take minutes and measure nothing.
    expires = timezone.now() + datetime.timedelta(hours=12)
    call_tokens = []
    for user in call_operators:
        token = secrets.token_urlsafe(32)
        ApiToken.objects.create(user=user, key_hash=token_digest(token), expires_at=expires)
        call_tokens.append([user.window_number, token])

    # One application for the look-ups, filed by an operator for a person of the demo
    # population; the person reads it with his or her own token.
    people = list(
        Person.objects.filter(account__isnull=False, birth_date__year__lte=2000)
        .order_by("id")
        .values_list("iin", flat=True)[:500]
    )
    application = cases.file_application(
        actor=User.objects.get(username="bench-op1"),
        service_code="passport",
        channel="oss",
        applicant_iin=people[0],
        office_code=office.code,
    )
    print(
        json.dumps(
            {
                "office": office.code,
                "call_office": calls.code,
                "call_tokens": call_tokens,
                "city": city,
                "application": application.number,
                "citizen": people[0],
                "people": people,
            }
        )
    )


if __name__ == "__main__":
    main()
