"""Reviewers are drawn uniformly at random among the eligible, the draw is recorded and an
auditor can recompute it; nobody on the applicant's side learns who reviews."""

import datetime
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from onestop.cases import services
from onestop.cases.models import Leave, ReviewerSkill, Status
from onestop.people.models import Role, User
from onestop.tests import factories

pytestmark = pytest.mark.django_db


def accept(application, operator, capture):
    with capture(execute=False):
        services.transition(actor=operator, application=application, action="accept")
    application.refresh_from_db()
    return application


def test_eligible_reviewers_are_the_agencys_skilled_active_and_present(make_application, reviewers):
    first, second, third = reviewers
    application = make_application()
    names = [u.username for u in services.eligible_reviewers(application)]
    assert names == [first.username, second.username, third.username]
    Leave.objects.create(
        reviewer=second,
        starts=timezone.localdate(),
        ends=timezone.localdate() + datetime.timedelta(days=3),
    )
    User.objects.filter(pk=third.pk).update(is_active=False)
    assert [u.username for u in services.eligible_reviewers(application)] == [first.username]
    ReviewerSkill.objects.filter(reviewer=first, service=application.service).delete()
    assert services.eligible_reviewers(application) == []


def test_a_reviewer_never_decides_his_own_application(make_application, reviewers):
    reviewer = reviewers[1]
    person = factories.person(last_name="Әлиева", first_name="Жанна")
    reviewer.person = person
    reviewer.save()
    application = make_application(applicant=person)
    assert reviewer.username not in [u.username for u in services.eligible_reviewers(application)]


def test_draws_are_uniform(
    make_application, operator, reviewers, django_capture_on_commit_callbacks
):
    """300 accepted applications over three reviewers: a chi-square test at the 0.1% level."""
    counts = Counter()
    for _ in range(300):
        application = accept(make_application(), operator, django_capture_on_commit_callbacks)
        assert application.status == Status.ASSIGNED
        counts[application.reviewer.username] += 1
    expected = 100
    chi_square = sum((counts[r.username] - expected) ** 2 / expected for r in reviewers)
    assert chi_square < 13.82, counts  # 2 degrees of freedom, p = 0.001


def test_the_draw_index_is_uniform_by_construction():
    counts = Counter(
        services.draw_index(seed=f"{i:064x}", number="2611-0000001", count=7) for i in range(7000)
    )
    assert set(counts) == set(range(7))
    chi_square = sum((n - 1000) ** 2 / 1000 for n in counts.values())
    assert chi_square < 22.46, counts  # 6 degrees of freedom, p = 0.001


def test_the_auditor_recomputes_the_draw(
    make_application, operator, reviewers, django_capture_on_commit_callbacks, capsys
):
    application = accept(make_application(), operator, django_capture_on_commit_callbacks)
    call_command("audit", "assignment", application.number)
    out = capsys.readouterr().out
    assert f"recorded {application.reviewer.username}" in out and "OK" in out and "intact" in out
    draw = services.recompute_draws(application.number)[0]
    assert draw["matches"] and draw["eligible"] == [r.username for r in reviewers]


def test_a_steered_assignment_is_caught(
    make_application, operator, reviewers, django_capture_on_commit_callbacks
):
    application = accept(make_application(), operator, django_capture_on_commit_callbacks)
    other = next(u for u in reviewers if u != application.reviewer)
    with (
        connection.cursor() as cursor
    ):  # someone with database access changes the recorded reviewer
        cursor.execute(
            "UPDATE cases_assignment SET reviewer_id = %s WHERE application_id = %s",
            [other.pk, application.pk],
        )
    with pytest.raises(CommandError, match="does not recompute"):
        call_command("audit", "assignment", application.number)


def test_reassignment_for_leave_and_conflict_is_a_recorded_draw(
    make_application, operator, reviewers, head, django_capture_on_commit_callbacks
):
    application = accept(make_application(), operator, django_capture_on_commit_callbacks)
    first = application.reviewer
    with django_capture_on_commit_callbacks(execute=False):
        services.reassign(actor=head, application=application, reason="conflict of interest")
    application.refresh_from_db()
    assert application.reviewer != first
    assert application.assignments.count() == 2
    second = application.reviewer
    with django_capture_on_commit_callbacks(execute=False):
        services.start_leave(
            actor=head, reviewer=second, starts=timezone.localdate(), ends=timezone.localdate()
        )
    application.refresh_from_db()
    assert application.reviewer not in (second,)
    assert [d["matches"] for d in services.recompute_draws(application.number)] == [
        True,
        True,
        True,
    ]


def test_nobody_on_the_applicants_side_sees_the_reviewer(
    make_application,
    operator,
    centre,
    citizen,
    reviewers,
    head,
    api_client,
    django_capture_on_commit_callbacks,
):
    application = accept(
        make_application(applicant=citizen.person), operator, django_capture_on_commit_callbacks
    )
    reviewer = application.reviewer
    secrets_ = {reviewer.username, reviewer.first_name, reviewer.last_name}
    for user in (
        citizen,
        operator,
        factories.staff(Role.OPERATOR, office=centre, window=2),
        factories.staff(Role.CONSULTANT, office=centre),
        factories.staff(Role.MANAGER, office=centre),
        factories.staff(Role.AGENT),
    ):
        headers = factories.bearer(user)
        for url in (f"/api/v1/applications/{application.number}", "/api/v1/applications"):
            body = api_client.get(url, **headers).content.decode()
            assert not any(s in body for s in secrets_), (user.username, url)
    body = api_client.get(
        f"/api/v1/applications/{application.number}", **factories.bearer(head)
    ).json()
    assert body["reviewer"]["username"] == reviewer.username


def test_a_reviewer_sees_only_what_was_drawn_for_him(
    make_application, operator, reviewers, api_client, django_capture_on_commit_callbacks
):
    application = accept(make_application(), operator, django_capture_on_commit_callbacks)
    for reviewer in reviewers:
        response = api_client.get(
            f"/api/v1/applications/{application.number}", **factories.bearer(reviewer)
        )
        assert response.status_code == (200 if reviewer == application.reviewer else 404)
