"""Settings for the test suite: the normal settings with sandbox and test switches on."""

import os

os.environ.setdefault("MOTCUA_TESTING", "1")
os.environ.setdefault("MOTCUA_SANDBOX", "1")

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
