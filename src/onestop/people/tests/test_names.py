"""Names shown to others hold no control or invisible formatting character."""

import pytest


@pytest.mark.django_db
def test_a_name_with_a_right_to_left_override_is_refused_in_the_admin(client):
    from onestop.people.models import Person, User

    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "root-for-names", password="x"
    )
    client.force_login(admin)
    person = Person.objects.order_by("iin").first()
    before = person.last_name
    url = f"/admin/people/person/{person.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(last_name="Ахметов\u202e", birth_date=person.birth_date.isoformat())
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    assert "last_name" in response.context["adminform"].form.errors
    person.refresh_from_db()
    assert person.last_name == before
