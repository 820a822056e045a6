from __future__ import annotations

from motcua.accounts.tests.factories import CitizenFactory, UserFactory
from motcua.organisations.tests.factories import MembershipFactory, UnitFactory

__all__ = ["CitizenFactory", "MembershipFactory", "UnitFactory", "UserFactory", "officer"]


def officer(username: str = "officer-1", role: str = "officer") -> object:
    """A staff user holding ``role`` in a fresh unit."""
    user = UserFactory(username=username)
    MembershipFactory(user=user, unit=UnitFactory(), role=role)
    return user
