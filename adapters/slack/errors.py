"""Reading Slack API failures: which are permanent refusals (`DeliveryRefused`, never
retried) and what an admin must do about each; the rest may pass and be retried."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from slack_sdk.errors import SlackApiError

from bot.domain import DeliveryRefused, Refusal

INVITE = "/invite @studybot"

# Slack's error codes (chat.postMessage, chat.postEphemeral) that no retry can change.
_REFUSALS: dict[str, Refusal] = {
    "not_in_channel": Refusal.not_in_channel,
    "channel_not_found": Refusal.gone,
    "is_archived": Refusal.gone,
    "missing_scope": Refusal.missing_permission,
    "restricted_action": Refusal.missing_permission,
    "restricted_action_read_only_channel": Refusal.missing_permission,
    "restricted_action_thread_only_channel": Refusal.missing_permission,
    "ekm_access_denied": Refusal.missing_permission,
    "access_denied": Refusal.missing_permission,
    "cannot_dm_bot": Refusal.dm_closed,
    "messages_tab_disabled": Refusal.dm_closed,
    "user_not_found": Refusal.gone,
    "user_disabled": Refusal.gone,
    "user_not_visible": Refusal.gone,
    "user_not_in_channel": Refusal.gone,
    "account_inactive": Refusal.gone,
    # chat.update: the message is gone, not the bot's, or past the workspace's edit window.
    "message_not_found": Refusal.gone,
    "cant_update_message": Refusal.gone,
    "edit_window_closed": Refusal.gone,
    "token_revoked": Refusal.gone,
    "invalid_auth": Refusal.gone,
    "not_authed": Refusal.gone,
}


def error_code(err: BaseException) -> str:
    """Slack's error code ("ratelimited", "not_in_channel"), or else the exception's type."""
    if isinstance(err, SlackApiError) and isinstance(err.response.data, dict):
        return str(err.response.data.get("error") or "")
    return type(err).__name__


def refusal(
    err: SlackApiError, *, channel_id: str = "", user_id: str = ""
) -> DeliveryRefused | None:
    """The permanent refusal `err` is, with what an admin can do about it; None when the
    call may succeed if tried again (rate limits, Slack's own errors)."""
    code = error_code(err)
    reason = _REFUSALS.get(code)
    if reason is None:
        return None
    data = err.response.data if isinstance(err.response.data, dict) else {}
    return DeliveryRefused(reason, detail(code, channel_id, user_id, str(data.get("needed") or "")))


def detail(code: str, channel_id: str = "", user_id: str = "", needed: str = "") -> str:
    """What is wrong, in words a workspace admin can act on."""
    channel = f"the channel ({channel_id})" if channel_id else "the channel"
    member = f"the member ({user_id})" if user_id else "the member"
    match code:
        case "not_in_channel":
            return f"studybot is not a member of {channel}: invite the app with {INVITE} there."
        case "channel_not_found":
            return (
                f"Slack cannot find {channel} for studybot: it was deleted, or it is private and "
                f"the app is not in it (invite it with {INVITE}), or set up another channel."
            )
        case "is_archived":
            return (
                f"{channel} is archived: unarchive it, or run /studybot setup in another channel."
            )
        case "missing_scope":
            scope = needed or "a scope this feature uses"
            return (
                f"the Slack app needs the scope {scope}: add it under OAuth & Permissions at "
                "api.slack.com/apps (or in the manifest) and reinstall the app."
            )
        case "cannot_dm_bot":
            return f"{member} is a bot, and bots cannot get direct messages."
        case "messages_tab_disabled":
            return (
                "studybot cannot send direct messages: turn on App Home > Messages Tab in the "
                "app's settings at api.slack.com/apps (features.app_home.messages_tab_enabled)."
            )
        case "user_not_found" | "user_disabled" | "user_not_visible":
            return f"{member} is no longer in this workspace, or studybot cannot see them."
        case "user_not_in_channel":
            return f"{member} is not in {channel} any more."
        case "message_not_found" | "cant_update_message" | "edit_window_closed":
            return f"studybot can no longer edit that message in {channel} ({code})."
        case "account_inactive" | "token_revoked" | "invalid_auth" | "not_authed":
            return "studybot is no longer installed in this workspace: reinstall the app to resume."
    return (
        f"a workspace setting stops studybot posting in {channel} ({code}): "
        "ask a workspace admin to allow apps to post there."
    )


@contextmanager
def refusals(*, channel_id: str = "", user_id: str = "") -> Iterator[None]:
    """Turns a permanent Slack refusal raised inside into `DeliveryRefused`."""
    try:
        yield
    except SlackApiError as err:
        refused = refusal(err, channel_id=channel_id, user_id=user_id)
        if refused is None:
            raise
        raise refused from err
