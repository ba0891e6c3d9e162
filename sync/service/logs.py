"""Structured JSON logs for Cloud Logging (severity, workbook, run id), with secrets redacted on the way out."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
from typing import IO, Any

LOGGER = "okrsync.service"
#: Fields a caller may attach with `extra=`; anything else stays out of the log line.
CONTEXT_FIELDS = ("workbook", "run_id", "trigger", "outcome", "status", "path", "method", "duration_ms",
                  "count", "error_code")
REDACTED = "[redacted]"

_PATTERNS = [
    # PEM private keys, raw or JSON-escaped (a service-account key file pasted into a message).
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.DOTALL),
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*", re.DOTALL),  # a truncated one
    re.compile(r"""(["']?private_key(?:_id)?["']?\s*[:=]\s*)["'][^"']*["']""", re.IGNORECASE),
    re.compile(r"(authorization\s*[:=]\s*[\"']?)[^\"',}\n]+", re.IGNORECASE),
    re.compile(r"(bearer\s+)[A-Za-z0-9\-._~+/]+=*", re.IGNORECASE),
    # JWTs (ID tokens, OIDC tokens) and Google OAuth access tokens wherever they appear.
    re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"),
    re.compile(r"ya29\.[A-Za-z0-9\-._~+/]+"),
    # Passwords in database URLs: postgresql://user:secret@host/db.
    re.compile(r"(://[^:/@\s]+:)[^@\s]+(@)"),
]


def redact(text: str) -> str:
    """The text with tokens, keys and passwords replaced by a marker."""
    for pattern in _PATTERNS:
        groups = pattern.groups
        if groups == 2:
            text = pattern.sub(lambda m: m.group(1) + REDACTED + m.group(2), text)
        elif groups == 1:
            text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
        else:
            text = pattern.sub(REDACTED, text)
    return text


class RedactFilter(logging.Filter):
    """Redacts the rendered message and any traceback before a handler sees the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Always keep the record; only its text changes."""
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, in the shape Cloud Logging reads from stdout."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line: severity, message, time, logger and the context fields set."""
        entry: dict[str, Any] = {
            "severity": "WARNING" if record.levelname == "WARN" else record.levelname,
            "message": record.getMessage(),
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "logger": record.name,
        }
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["stack_trace"] = record.exc_text
        # Redacted once more as a whole: a context field could carry a secret too.
        return redact(json.dumps(entry, ensure_ascii=False, default=str))


def install(stream: IO[str] | None = None, level: int = logging.INFO) -> logging.Logger:
    """The service logger, writing JSON lines to `stream` (stdout); installing twice keeps one handler."""
    logger = logging.getLogger(LOGGER)
    for handler in list(logger.handlers):
        if getattr(handler, "okrsync_json", False):
            logger.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactFilter())
    handler.okrsync_json = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(level)
    # Our lines are complete JSON already; the root logger (gunicorn's, pytest's) would print them twice.
    logger.propagate = False
    return logger


def get(name: str = "") -> logging.Logger:
    """A logger under the service's namespace."""
    return logging.getLogger(f"{LOGGER}.{name}" if name else LOGGER)
