"""Settings, one module per concern, all driven by environment variables.

Production defaults are safe: DEBUG off, sandbox off, secure cookies. ``make run`` and the tests
turn on what they need through the environment.
"""

from .api import *  # noqa: F403
from .base import *  # noqa: F403
from .database import *  # noqa: F403
from .email import *  # noqa: F403
from .i18n import *  # noqa: F403
from .logging import *  # noqa: F403
from .motcua import *  # noqa: F403
from .security import *  # noqa: F403
from .tasks import *  # noqa: F403
