"""The websocket endpoint: Bearer authentication on the handshake, hello, then a typed command loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from http import HTTPStatus

from sqlalchemy.exc import IntegrityError
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request

from models.access import check_command
from models.db import write_transaction
from models.floor_result import FloorError, remember_refusal
from models.mutations import MutationKey, last_mutation_id
from models.staff import StaffMember, authenticate
from sync.hub import deal_commands, kpi_commands, radar_commands, sandbox_commands  # noqa: F401  (their commands)
from sync.hub.batch import audit_refusal, known_answer
from sync.hub.commands import HANDLERS, CommandError, message_type
from sync.hub.core import Hub, Session
from sync.protocol import (
    PROTOCOL_VERSION,
    ErrorCode,
    Hello,
    ProtocolError,
    _Mutation,
    decode,
    encode,
    error_message,
    result_message,
)

log = logging.getLogger("salesfloor.hub.ws")
CLOSE_POLICY = 1008
CLOSE_UNSUPPORTED = 1003


def bearer_token(request: Request) -> str:
    """The token from 'Authorization: Bearer …', or ''."""
    value = request.headers.get("Authorization", "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


class WebsocketEndpoint:
    """Authenticates handshakes and runs one session per connection."""

    def __init__(self, hub: Hub):
        """Serve sessions of this hub."""
        self.hub = hub
        self._auth: dict[int, tuple[StaffMember, int]] = {}

    def _authenticate(self, token: str):
        with self.hub.registry.engine.connect() as conn:
            return authenticate(conn, token)

    async def process_request(self, connection: ServerConnection, request: Request):
        """Refuse the handshake without a valid bearer token (401); never log the token."""
        token = bearer_token(request)
        if not token:
            return connection.respond(HTTPStatus.UNAUTHORIZED, "missing 'Authorization: Bearer <token>'\n")
        found = await self.hub.db(self._authenticate, token)
        if found is None:
            return connection.respond(HTTPStatus.UNAUTHORIZED, "unknown or revoked token\n")
        self._auth[id(connection)] = found
        return None

    async def handler(self, ws: ServerConnection) -> None:
        """One session: hello within the timeout, then commands until the socket closes."""
        member, credential = self._auth.pop(id(ws))
        s = Session(ws, member, credential)
        self.hub.sessions.add(s)
        log.info("session opened: staff #%s (%s)", member.id, member.role.value)
        try:
            while True:
                timeout = self.hub.config.idle_timeout_s if s.ready else self.hub.config.hello_timeout_s
                try:
                    async with asyncio.timeout(timeout):  # unlike wait_for on 3.11, no task per message
                        raw = await ws.recv()
                except TimeoutError:
                    why = "idle for too long" if s.ready else "no hello in time"
                    await ws.close(CLOSE_POLICY, why)
                    return
                if isinstance(raw, bytes):
                    await ws.close(CLOSE_UNSUPPORTED, "binary frames are not accepted: send JSON text")
                    return
                reply, close = await self.process(s, raw)
                await ws.send(reply)
                if close:
                    await ws.close(CLOSE_POLICY, close)
                    return
        except ConnectionClosed:
            pass
        finally:
            self.hub.sessions.discard(s)
            for task in list(s.pending):
                task.cancel()
            log.info("session closed: staff #%s", member.id)

    async def process(self, s: Session, raw: str) -> tuple[str, str | None]:
        """Handle one text message; returns the reply and, when the session must end, why."""
        try:
            msg = decode(raw)
        except ProtocolError as exc:
            return error_message(exc.msg_id, exc.code, str(exc)), None if s.ready else "bad first message"
        if msg.id <= s.last_msg_id:
            return error_message(msg.id, ErrorCode.BAD_ID, f"id {msg.id} must be greater than {s.last_msg_id}"), None
        s.last_msg_id = msg.id
        if not s.ready:
            return await self._hello(s, msg)
        if isinstance(msg, Hello):
            return error_message(msg.id, ErrorCode.BAD_MESSAGE, "hello was already sent"), None
        kind = message_type(type(msg))
        params = {"staff_id": getattr(msg, "staff_id", None)}
        refusal = check_command(s.member, kind, params)
        if refusal is not None:
            await self.hub.db(self._audit_refusal, s, kind, refusal.text)
            return error_message(msg.id, refusal.code, refusal.text), None
        mutation = None
        if isinstance(msg, _Mutation):
            answered, mutation = await self.hub.db(self._known_answer, s, msg)
            if answered is not None:
                return encode(answered), None
        try:
            result = await HANDLERS[type(msg)](self.hub, s, msg, mutation)
        except (CommandError, FloorError) as exc:
            if mutation is not None:
                await self.hub.db(self._refuse, mutation, exc.code, str(exc))
            return error_message(msg.id, exc.code, str(exc)), None
        except Exception:
            log.exception("command %s failed", kind)
            return error_message(msg.id, ErrorCode.INTERNAL, "the hub could not complete this; try again"), None
        return result_message(msg.id, result), None

    async def _hello(self, s: Session, msg) -> tuple[str, str | None]:
        if not isinstance(msg, Hello):
            text = "send hello first: no command is accepted before it"
            return error_message(msg.id, ErrorCode.NOT_AUTHENTICATED, text), "no hello"
        if msg.protocol != PROTOCOL_VERSION:
            text = f"this hub speaks protocol {PROTOCOL_VERSION}, the client {msg.protocol}: update the client"
            return error_message(msg.id, ErrorCode.PROTOCOL_VERSION, text), "protocol version"
        if not msg.client_id or len(msg.client_id) > 64:
            return error_message(msg.id, ErrorCode.INVALID, "client_id must be 1-64 characters"), "bad client id"
        s.client_id, s.ready = msg.client_id, True
        m = s.member
        staff = {"id": m.id, "name": m.name, "role": m.role.value, "agency_id": m.agency_id, "status": m.status.value}
        now = self.hub.clock.now().isoformat()
        last_mutation = await self.hub.db(self._last_mutation_id, msg.client_id)
        return result_message(
            msg.id,
            {
                "protocol": PROTOCOL_VERSION,
                "staff": staff,
                "seq": self.hub.last_seq,
                "now": now,
                "last_mutation_id": last_mutation,
            },
        ), None

    def _last_mutation_id(self, client_id: str) -> int:
        """The highest mutation id this client has had answered (a desk whose replica was lost resumes above it)."""
        with self.hub.registry.engine.connect() as conn:
            return last_mutation_id(conn, client_id)

    def _known_answer(self, s: Session, msg: _Mutation):
        with self.hub.registry.engine.connect() as conn:
            return known_answer(conn, s, msg)

    def _refuse(self, mutation: MutationKey, code: str, message: str) -> None:
        with contextlib.suppress(IntegrityError):  # already answered: the stored answer stands
            remember_refusal(self.hub.registry.engine, mutation, code, message, self.hub.clock.now())

    def _audit_refusal(self, s: Session, command: str, why: str) -> None:
        with write_transaction(self.hub.registry.engine) as conn:
            audit_refusal(conn, self.hub, s, command, why)
