"""A simulator of a realistic month of dossiers, driven through the domain services (docs/simulator.md).

Not a Django app: it has no models. ``simulator.simulate_month(...)`` is the entry point; the command is
``motcua simulate``. ``recent.demo_recent_load()`` gives the demo staff of today's units recent dossiers.
"""
