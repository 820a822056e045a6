from __future__ import annotations

import factory

from motcua.accounts.models import AccountKind, User


class UserFactory(factory.django.DjangoModelFactory):
    """A staff account (kind ``staff``) with the password ``secret``."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    kind = AccountKind.STAFF
    password = factory.django.Password("secret")


class CitizenFactory(UserFactory):
    kind = AccountKind.CITIZEN
    citizen_id = factory.Sequence(lambda n: f"{26000000000 + n:012d}")
