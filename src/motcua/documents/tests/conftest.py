from .fixtures import clamd_address, media  # noqa: F401  (fixtures)
