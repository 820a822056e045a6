"""Structured logs: JSON lines with Vietnamese text kept readable (ensure_ascii=False)."""

import json
import logging

import structlog

from motcua.core.observability import redact_personal_data, request_id_from_record

from .env import env_str

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")


def _json_dumps(obj: object, **kwargs: object) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)


_shared_processors: list[structlog.types.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]

structlog.configure(
    processors=[*_shared_processors, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processors": [
                request_id_from_record,  # Django's own "Not Found"/"Internal Server Error" lines
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                # ID numbers, phone numbers and e-mail addresses masked in every line (core.observability)
                redact_personal_data,
                structlog.processors.JSONRenderer(serializer=_json_dumps),
            ],
            "foreign_pre_chain": _shared_processors,
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

logging.captureWarnings(True)
