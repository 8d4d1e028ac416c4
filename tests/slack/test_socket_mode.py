"""Socket Mode: apps.connections.open hands out a ws:// URL on loopback, where the fake
speaks Socket Mode's envelopes; the bot acks each by its envelope_id."""

from __future__ import annotations

from tests.slack import payloads
from tests.slack.fake_slack import APP_TOKEN
from tests.slack.test_flows import set_up
from tests.slack.world import World, shown


async def test_connects_with_the_app_token(socket: World) -> None:
    [opened] = socket.fake.called("apps.connections.open")
    assert opened.token == APP_TOKEN
    assert socket.fake.socket_connects == 1


async def test_each_envelope_is_acked_by_its_id(socket: World) -> None:
    fields = payloads.slash_command(
        "UANA", "ana", "/studybot", "help", response_url=socket.fake.response_url("r")
    )
    socket.user("ana")
    gate = socket.fake.hold("users.info")  # the ack must not wait for the work
    ack = await socket.fake.envelope("slash_commands", fields)
    assert set(ack) >= {"envelope_id"} and socket.fake.messages == []
    gate.set()
    await socket.settle()
    assert "/studybot setup" in shown(socket.last_private())


async def test_a_disconnect_is_followed_by_a_reconnect(socket: World) -> None:
    await set_up(socket)
    await socket.fake.disconnect()
    await socket.fake.wait_for(
        lambda: socket.fake.socket_connects == 2 and len(socket.fake.sockets) == 1
    )
    assert len(socket.fake.called("apps.connections.open")) == 2
    # The new connection carries the same bot on: a command and a thread reply still work.
    await socket.run("you", "/studybot", "post-now")
    post = socket.newest_post()
    await socket.replies("ana", "Consistent hashing.")
    assert any("Answer from ana saved" in shown(m) for m in socket.in_thread(post.ts))
