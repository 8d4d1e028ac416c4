"""The Slack adapter: slack-bolt requests <-> core events, and the ChatPort over the Web API.

mapping.py       pure functions: Slack payload -> core event
render.py        pure functions: core text, buttons and forms -> Slack text, Block Kit, modals
directory.py     who a user is (display name, workspace admin) from users.info, cached
chat.py          SlackChat, the ChatPort over AsyncWebClient, paced per channel
errors.py        Slack's permanent refusals -> DeliveryRefused, with what an admin can do
journal.py       what became of each post sent with a nonce (Slack has no idempotency key)
workspaces.py    which client (bot token) speaks for a workspace; who schedules which
installations.py the OAuth installation store and state store over our database
settings.py      Slack-only settings: the OAuth install, the scheduling shares
app.py           the bolt AsyncApp: listeners that ack, then hand the payload to `Inbound`
runner.py        Socket Mode and HTTP mode (and the install pages) start-up, for `studybot run`
"""
