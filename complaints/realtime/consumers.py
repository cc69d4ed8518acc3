"""The officers' websocket (/ws/queue/): live queue rows and "this case changed" banners.

Thin: authorise on connect, join the groups complaints.realtime.events names, relay its events.
Close codes: 4401 not logged in, 4403 logged in but not an officer with a unit. The socket is
accepted before it is closed so the browser sees the code and stops reconnecting.
"""

from collections import deque

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from complaints.permissions import complaints_visible_to
from complaints.realtime import events as realtime

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
# A case page follows one case; a few tabs share nothing, so a small cap is plenty and stops a
# client from making the server hold thousands of group memberships.
MAX_WATCHED_CASES = 20


@database_sync_to_async
def _groups_for(user) -> list[str]:
    return realtime.officer_groups(user)


@database_sync_to_async
def _may_watch(user, complaint_id: int) -> bool:
    return complaints_visible_to(user).filter(pk=complaint_id).exists()


class QueueConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.joined: list[str] = []
        self.scope_groups: frozenset[str] = frozenset()
        self.watched: set[int] = set()
        self.seen: deque[str] = deque(maxlen=200)
        user = self.scope.get("user")
        await self.accept()
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        groups = await _groups_for(user)
        if not groups:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.joined = list(groups)
        self.scope_groups = frozenset(groups)
        await self.send_json({"type": "ready"})

    async def disconnect(self, code):
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined = []

    async def receive_json(self, content, **kwargs):
        if not self.joined:
            return
        if not isinstance(content, dict):
            return
        if "watch" in content:
            await self._watch(content["watch"])
        elif "unwatch" in content:
            await self._unwatch(content["unwatch"])

    async def _watch(self, raw) -> None:
        complaint_id = _as_id(raw)
        if complaint_id is None:
            await self.send_json({"type": "error", "error": "bad_request"})
            return
        if complaint_id in self.watched:
            await self.send_json({"type": "watching", "id": complaint_id})
            return
        if len(self.watched) >= MAX_WATCHED_CASES:
            await self.send_json({"type": "error", "error": "too_many"})
            return
        # Same answer for "no such case" and "not yours": guessing ids reveals nothing.
        if not await _may_watch(self.scope["user"], complaint_id):
            await self.send_json({"type": "error", "error": "not_found", "id": complaint_id})
            return
        group = realtime.case_group(complaint_id)
        await self.channel_layer.group_add(group, self.channel_name)
        self.joined.append(group)
        self.watched.add(complaint_id)
        await self.send_json({"type": "watching", "id": complaint_id})

    async def _unwatch(self, raw) -> None:
        complaint_id = _as_id(raw)
        if complaint_id is None or complaint_id not in self.watched:
            return
        group = realtime.case_group(complaint_id)
        await self.channel_layer.group_discard(group, self.channel_name)
        self.joined.remove(group)
        self.watched.discard(complaint_id)

    async def complaint_event(self, message):
        payload = message["payload"]
        eid = payload.get("eid")
        if eid in self.seen:
            return
        self.seen.append(eid)
        if not self.scope_groups.intersection(message.get("groups", ())):
            # Heard only because a case page follows it: the case may have left this officer's
            # unit since; then stop following it instead of leaking its later steps.
            if not await _may_watch(self.scope["user"], payload["id"]):
                await self._unwatch(payload["id"])
                return
        await self.send_json({"type": "complaint", **payload})


def _as_id(raw) -> int | None:
    if isinstance(raw, bool):
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2**63 else None
