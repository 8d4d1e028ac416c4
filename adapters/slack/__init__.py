"""The Slack adapter: slack-bolt requests <-> core events, and the ChatPort over the Web API.

mapping.py   pure functions: Slack payload -> core event
render.py    pure functions: core text, buttons and forms -> Slack text, Block Kit, modals
directory.py who a user is (display name, workspace admin) from users.info, cached
chat.py      SlackChat, the ChatPort over AsyncWebClient, paced per channel
app.py       the bolt AsyncApp: listeners that ack, then hand the payload to `Inbound`
runner.py    Socket Mode and HTTP mode start-up, used by `studybot run`
"""
