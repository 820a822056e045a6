from .env import env_bool

# Outgoing work is enqueued in the same transaction as the change that caused it (transactional outbox).
TASKS = {
    "default": {
        "BACKEND": (
            "django.tasks.backends.immediate.ImmediateBackend"
            if env_bool("MOTCUA_TASKS_IMMEDIATE")
            else "motcua.core.tasks_backend.DatabaseBackend"  # django-tasks-db's, a cheaper insert
        ),
    }
}
