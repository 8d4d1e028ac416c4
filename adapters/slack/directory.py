"""Who a Slack user is: a display name for the core to show, and whether they may run admin
commands (a workspace admin or owner per users.info, or listed in STUDYBOT_SLACK_ADMINS).

Answers are cached briefly: a busy thread must not cost one users.info call per reply, and
a demoted admin loses admin commands within a minute.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TypeVar

from adapters.slack.errors import error_code
from adapters.slack.workspaces import Workspaces
from bot.domain import UserRef
from bot.events import (
    ButtonPressed,
    CommandInvoked,
    Event,
    FormSubmitted,
    MessageEdited,
    MessagePosted,
)

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    is_admin: bool


class Directory:
    def __init__(
        self,
        workspaces: Workspaces,
        *,
        admins: Collection[str] = (),
        ttl: float = 60.0,
        size: int = 5000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._workspaces = workspaces
        self._admins = frozenset(admins)
        self._ttl = ttl
        self._size = size
        self._clock = clock
        self._cache: OrderedDict[tuple[str, str], tuple[float, Person]] = OrderedDict()

    async def who(self, user: UserRef) -> Person:
        key = (user.tenant, user.user_id)
        hit = self._cache.get(key)
        if hit is not None and hit[0] > self._clock():
            return hit[1]
        try:
            client = await self._workspaces.client(user.tenant)
            resp = await client.users_info(user=user.user_id)
        except Exception as err:
            # Fail closed: without users.info only the configured list is admin.
            log.warning("users.info failed", extra={"user": user.user_id, "error": error_code(err)})
            return Person(user.name, user.user_id in self._admins)
        info = resp.get("user") or {}
        profile = info.get("profile") or {}
        name = (
            profile.get("display_name")
            or profile.get("real_name")
            or info.get("real_name")
            or info.get("name")
        )
        is_admin = bool(
            info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner")
        )
        person = Person(str(name or user.name), is_admin or user.user_id in self._admins)
        self._cache[key] = (self._clock() + self._ttl, person)
        self._cache.move_to_end(key)
        while len(self._cache) > self._size:
            self._cache.popitem(last=False)
        return person

    def known(self, user: UserRef) -> Person:
        """Who `user` is from what is at hand (the cache, the configured list, the payload's
        username): no call to Slack, for work that must not wait on one."""
        hit = self._cache.get((user.tenant, user.user_id))
        if hit is not None and hit[0] > self._clock():
            return hit[1]
        return Person(user.name, user.user_id in self._admins)

    async def enrich(self, event: E, *, lookup: bool = True) -> E:
        """The same event with its user's display name and admin flag filled in; with
        `lookup=False` only from what is known already (see `known`)."""
        match event:
            case CommandInvoked() | ButtonPressed() | FormSubmitted():
                user = await self._filled(event.interaction.user, lookup)
                interaction = dataclasses.replace(event.interaction, user=user)
                return dataclasses.replace(event, interaction=interaction)
            case MessagePosted() | MessageEdited():
                return dataclasses.replace(event, user=await self._filled(event.user, lookup))
        return event

    async def _filled(self, user: UserRef, lookup: bool) -> UserRef:
        person = await self.who(user) if lookup else self.known(user)
        return dataclasses.replace(user, name=person.name, is_admin=person.is_admin)
