"""Reading Slack API failures."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError


def error_code(err: BaseException) -> str:
    """Slack's error code ("ratelimited", "not_in_channel"), or else the exception's type."""
    if isinstance(err, SlackApiError) and isinstance(err.response.data, dict):
        return str(err.response.data.get("error") or "")
    return type(err).__name__
