"""The redaction rule: credential values never survive, their presence does."""

from __future__ import annotations

import re

from hypothesis import assume, given
from hypothesis import strategies as st

from instrumentation import names
from instrumentation._redact import (
    REDACTED,
    credential_kind,
    redact_attributes,
    redact_event,
    redact_query,
    redact_url,
    scrub_text,
)

SECRET_CHARS = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd"), max_codepoint=127),
    min_size=6,
    max_size=30,
)


def test_secret_query_parameters_are_redacted() -> None:
    """token, password and api_key values go; other parameters stay."""
    query = "page=2&access_token=abc123&password=pw1;api_key=k9&q=rooms"

    assert redact_query(query) == (
        f"page=2&access_token={REDACTED}&password={REDACTED};api_key={REDACTED}&q=rooms"
    )


def test_url_user_info_and_query_are_redacted() -> None:
    """user:password@ and secret parameters are removed from a URL."""
    url = "https://bob:pw@example.org/cb?code=1&session_id=zz"

    assert (
        redact_url(url)
        == f"https://{REDACTED}@example.org/cb?code=1&session_id={REDACTED}"
    )


def test_free_text_loses_bearer_tokens_and_pairs() -> None:
    """Bearer tokens, key=value and JSON pairs are scrubbed from text."""
    text = 'Authorization: Bearer ey.J9 body={"password": "pw1", "name": "x"}'

    scrubbed = scrub_text(text)
    assert "ey.J9" not in scrubbed and "pw1" not in scrubbed
    assert '"name": "x"' in scrubbed


def test_cause_codes_and_ordinary_words_are_untouched() -> None:
    """Values such as auth.invalid_session and keys like signal stay readable."""
    text = "cause=auth.invalid_session signal=traces"

    assert scrub_text(text) == text


def test_credential_kind_names_the_kind_only() -> None:
    """Bearer wins over a cookie; other schemes are "other"; none is "none"."""
    assert credential_kind([(b"cookie", b"sid=1")]) == names.CREDENTIAL_COOKIE
    assert credential_kind([(b"cookie", b"a"), (b"Authorization", b"Bearer x")]) == (
        names.CREDENTIAL_BEARER
    )
    assert (
        credential_kind([(b"authorization", b"Basic eA==")]) == names.CREDENTIAL_OTHER
    )
    assert credential_kind([(b"accept", b"*/*")]) == names.CREDENTIAL_NONE


def test_log_processor_redacts_keys_and_nested_values() -> None:
    """Secret keys at any depth are replaced; safe keys are kept as they are."""
    event = {
        "event": "login",
        "password": "pw1",
        "headers": {"Cookie": "sid=1", "accept": "json"},
        names.ATTR_CREDENTIAL_KIND: "cookie",
        "attempts": 2,
    }

    out = redact_event(None, "info", event)
    assert out["password"] == REDACTED
    assert out["headers"] == {"Cookie": REDACTED, "accept": "json"}
    assert out[names.ATTR_CREDENTIAL_KIND] == "cookie" and out["attempts"] == 2


def test_span_attributes_are_copied_only_when_something_changes() -> None:
    """redact_attributes returns None for clean attributes, a copy otherwise."""
    assert redact_attributes({"http.route": "/x", "n": 1}) is None

    cleaned = redact_attributes({"http.request.header.authorization": ("Bearer x",)})
    assert cleaned == {"http.request.header.authorization": REDACTED}


@given(secret=SECRET_CHARS, key=st.sampled_from(["password", "token", "api_key"]))
def test_no_planted_secret_survives_in_text(secret: str, key: str) -> None:
    """Whatever the value, key=value and Bearer forms never keep it."""
    text = f"GET /x?{key}={secret}&a=1 Authorization: Bearer {secret}"
    # An alphanumeric secret could only be "found" inside one word of the text
    # around it (say "passwo" in "password"); such draws prove nothing.
    around = f"GET /x?{key}=&a=1 Authorization: Bearer {REDACTED}"
    assume(all(secret not in word for word in re.findall(r"[A-Za-z0-9]+", around)))

    assert secret not in scrub_text(text)
    assert secret not in redact_url(f"http://h/x?{key}={secret}")
