from motcua.dossiers.tests.conftest import frozen, immediate_tasks, world

__all__ = ["frozen", "immediate_tasks", "world"]
