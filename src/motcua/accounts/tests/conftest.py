from motcua.organisations.tests.conftest import demo_units, today_2026

__all__ = ["demo_units", "today_2026"]
