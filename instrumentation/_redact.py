"""Keep credentials inside the process: one rule for logs, spans and URLs.

A value is secret when its key names a credential (cookie, authorization,
token, password, secret, api key, session) or when it sits in text as
``key=value`` / ``Bearer xyz``. Secrets are replaced by ``[REDACTED]``; that a
credential was present is recorded separately as ``auth.credential_kind``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from instrumentation import names

REDACTED = "[REDACTED]"

_SECRET_FRAGMENTS = (
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "session",
    "cookie",
    "authorization",
)
_SECRET_KEYS = frozenset({"pwd", "sig", "signature", "key", "auth", "jwt", "sid"})

# Keys the instrumentation writes itself: never secret, skipped for speed.
_SAFE_KEYS = frozenset(
    {
        names.LOG_TIMESTAMP,
        names.LOG_LEVEL,
        names.LOG_SERVICE,
        names.LOG_TRACE_ID,
        names.LOG_SPAN_ID,
        names.LOG_REQUEST_ID,
        names.ATTR_CREDENTIAL_KIND,
        names.ATTR_CAUSE,
        names.ATTR_ERROR_TYPE,
        # SQLAlchemy sends statements with bound parameters: values never
        # appear in the text, and column names like session_id are not secrets.
        "db.statement",
        "db.query.text",
    }
)

_KEY_PATTERN = (
    r"[\w.\-]*(?:password|passwd|secret|token|api[_\-]?key|session|cookie"
    r"|authorization)[\w.\-]*|pwd|sig|signature|jwt|sid"
)
# key=value, key: value and "key": "value" pairs inside free text.
_PAIR = re.compile(
    rf"""(?ix)
    (?<![\w.\-])(?P<key>{_KEY_PATTERN})(?P<sep>["']?\s*[=:]\s*)
    (?P<value>\[REDACTED\]|"[^"]*"|'[^']*'|[^&\s,;'"}}\]]+)
    """
)
_SCHEME_TOKEN = re.compile(r"(?i)\b(bearer|basic)\s+[\w\-.~+/]+=*")
_USERINFO = re.compile(r"(?<=://)[^/\s:@]+:[^/\s@]+@")
_MAX_DEPTH = 4
# Cheap first pass (plain substring tests, far faster than a regex): text
# without any of these cannot hold a secret the rules above would find.
_TRIGGERS = (
    "pass", "pwd", "secret", "token", "key", "session", "cookie", "auth",
    "bearer", "basic", "sig", "jwt", "sid", "@",
)  # fmt: skip


@lru_cache(maxsize=4096)
def is_secret_key(key: str) -> bool:
    """Tell whether a field, header or parameter name names a credential."""
    lowered = key.lower()
    if lowered in _SAFE_KEYS:
        return False

    last = lowered.rsplit(".", 1)[-1]
    if last in _SECRET_KEYS:
        return True

    return any(fragment in lowered for fragment in _SECRET_FRAGMENTS)


def scrub_text(text: str) -> str:
    """Replace credential values found in free text by ``[REDACTED]``."""
    lowered = text.lower()
    if not any(trigger in lowered for trigger in _TRIGGERS):
        return text

    text = _SCHEME_TOKEN.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _USERINFO.sub(f"{REDACTED}@", text)

    return _PAIR.sub(_redact_pair, text)


def _redact_pair(match: re.Match[str]) -> str:
    return f"{match.group('key')}{match.group('sep')}{REDACTED}"


def redact_query(query: str) -> str:
    """Redact the values of secret parameters in a URL query string."""
    if not query:
        return query

    parts = []
    for part in re.split(r"([&;])", query):
        key, sep, _ = part.partition("=")
        parts.append(f"{key}={REDACTED}" if sep and is_secret_key(key) else part)

    return "".join(parts)


def redact_url(url: str) -> str:
    """Drop user:password from a URL and redact its secret query parameters."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return scrub_text(url)

    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rpartition('@')[2]}"

    return urlunsplit(parts._replace(netloc=netloc, query=redact_query(parts.query)))


def credential_kind(headers: Iterable[tuple[bytes, bytes]]) -> str:
    """Name the kind of credential in raw request headers, never its value."""
    kind = names.CREDENTIAL_NONE
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"authorization":
            scheme = value.split(b" ", 1)[0].lower()
            is_bearer = scheme == b"bearer"
            return names.CREDENTIAL_BEARER if is_bearer else names.CREDENTIAL_OTHER
        if lowered == b"cookie":
            kind = names.CREDENTIAL_COOKIE

    return kind


def redact_value(key: str, value: Any, depth: int = 0) -> Any:
    """Return ``value`` with any credential it holds under ``key`` redacted."""
    if is_secret_key(key):
        return REDACTED
    if isinstance(value, str):
        return scrub_text(value)
    if depth >= _MAX_DEPTH:
        return value
    if isinstance(value, Mapping):
        return {k: redact_value(str(k), v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact_value("", v, depth + 1) for v in value)

    return value


def redact_event(
    logger: object, method_name: str, event_dict: dict[str, Any]
) -> dict[str, Any]:
    """A structlog processor: redact credentials anywhere in the event."""
    for key, value in event_dict.items():
        if key in _SAFE_KEYS or value is None or isinstance(value, int | float):
            continue
        event_dict[key] = redact_value(key, value)

    return event_dict


def redact_attributes(attributes: Mapping[str, Any]) -> dict[str, Any] | None:
    """Return redacted span attributes, or None when nothing needed redaction."""
    changed: dict[str, Any] | None = None
    for key, value in attributes.items():
        if key in _SAFE_KEYS or isinstance(value, bool | int | float):
            continue
        cleaned = redact_value(key, value)
        if cleaned != value:
            changed = changed if changed is not None else dict(attributes)
            changed[key] = cleaned

    return changed
