"""The outbox (Replicache-style): every user action is committed here first, with its mutation id,
applied optimistically to the replica in the same transaction, sent in order, then marked applied
or refused. Plain personal values live only in a pending item's `fields`; an answered item keeps
its masked summary and drops them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from models.desk_state import Me
from models.messages import KIND_ZH, Reason
from models.privacy import mask_mobile, mask_name, mask_national_id
from sync.client.changes import Changes
from sync.client.replica import (
    Instant,
    get_meta,
    leads,
    load_me,
    outbox,
    outbox_item,
    read_leads,
    set_meta,
    staff,
    staff_row,
    waiting_count,
)
from sync.protocol import CLIENT_MESSAGES

MUTATIONS = (
    "visit.register",
    "report.file",
    "followup.log",
    "status.set",
    "lead.reassign",
    "deal.record",
    "settlement.prepare",
    "settlement.transition",
    "experiment.define",
    "experiment.start",
    "experiment.stop",
    "experiment.expose",
)
NO_OPTIMISTIC = MUTATIONS[5:]  # deals, settlement, experiments: shown as waiting until the hub answers
STAGE_ZH = {"subscription": "认购", "signing": "签约"}
STEP_ZH = {"confirmed": "确认", "paid": "标记已付"}
INTAKE = ("visit.register", "report.file")
FOLLOW_UP_ZH = {"call": "电话", "wechat": "微信", "visit": "面谈", "note": "备注"}
STATUS_ZH = {"on_duty": "在岗", "paused": "暂停", "off": "下班"}
REFUSAL_ZH = {
    "forbidden": "没有权限",
    "not_found": "找不到对应记录",
    "invalid": "内容不被接受",
    "mutation_conflict": "与已提交的操作冲突",
    "bad_message": "格式不被服务器接受",
}
NEW_CUSTOMER_TEXT = Reason("new_customer").text()


@dataclass(frozen=True)
class Outgoing:
    """The next action to send: its key, type and wire fields."""

    mutation_id: int
    type: str
    fields: dict[str, Any]


def validate(type_: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Check an action against its wire schema at once (a view's mistake is raised, not queued)."""
    if type_ not in MUTATIONS:
        raise ValueError(f"{type_!r} is not a mutation; expected one of {list(MUTATIONS)}")
    try:
        msg = msgspec.convert({"id": 1, "client_id": "x", "mutation_id": 1, **fields}, CLIENT_MESSAGES[type_])
    except msgspec.ValidationError as exc:
        raise ValueError(f"{type_}: {exc}") from None
    body = msgspec.to_builtins(msg)
    for key in ("id", "client_id", "mutation_id", "type"):
        body.pop(key, None)
    return body


def _person_text(fields: dict[str, Any]) -> str:
    person = fields.get("person") or {}
    name = mask_name(person.get("name")) or "访客"
    number = mask_mobile(person.get("mobile")) or mask_national_id(person.get("national_id"))
    return f"{name}（{number}）" if number else name


def summary(conn: Connection, type_: str, fields: dict[str, Any]) -> str:
    """What the user did, in masked words."""
    if type_ == "visit.register":
        verb = "登记带看" if fields.get("kind") == "accompanied_visit" else "登记到访"
        return f"{verb} {_person_text(fields)}"
    if type_ == "report.file":
        return f"报备 {_person_text(fields)}"
    if type_ == "followup.log":
        lead = fields["lead_id"]
        target = f"线索 #{lead}" if lead > 0 else "离线登记的访客"
        return f"跟进{target}（{FOLLOW_UP_ZH.get(fields['kind'], fields['kind'])}）"
    if type_ == "status.set":
        who = ""
        if fields.get("staff_id") is not None:
            name = conn.execute(sa.select(staff.c.name).where(staff.c.id == fields["staff_id"])).scalar()
            who = f"{name or '#' + str(fields['staff_id'])} "
        return f"{who}状态改为{STATUS_ZH.get(fields['status'], fields['status'])}"
    if type_ == "deal.record":
        return f"{STAGE_ZH.get(fields['stage'], fields['stage'])} {fields['unit']}（客户 #{fields['customer_id']}）"
    if type_ == "settlement.prepare":
        return f"生成结算单 {fields['start']} 至 {fields['end']}"
    if type_ == "settlement.transition":
        return f"结算单 #{fields['statement_id']} {STEP_ZH.get(fields['to'], fields['to'])}"
    if type_ == "experiment.define":
        return f"保存政策实验「{(fields.get('definition') or {}).get('name', '')}」"
    if type_ in ("experiment.start", "experiment.stop"):
        return f"{'开始' if type_ == 'experiment.start' else '停止'}政策实验 #{fields['experiment_id']}"
    if type_ == "experiment.expose":
        return f"向客户 #{fields['customer_id']} 介绍实验 #{fields['experiment_id']} 的政策"
    name = conn.execute(sa.select(staff.c.name).where(staff.c.id == fields["to_staff_id"])).scalar()
    return f"线索 #{fields['lead_id']} 改派给 {name or '#' + str(fields['to_staff_id'])}"


def record(conn: Connection, type_: str, fields: dict[str, Any], now: datetime) -> Changes:
    """Commit one action to the outbox under the next mutation id and apply it optimistically."""
    mid = int(get_meta(conn, "next_mutation_id", 1))
    set_meta(conn, "next_mutation_id", mid + 1)
    me = load_me(conn)
    lead_id = -mid if type_ in INTAKE else fields.get("lead_id")
    conn.execute(
        outbox.insert().values(
            mutation_id=mid,
            type=type_,
            fields=fields,
            summary=summary(conn, type_, fields),
            lead_id=lead_id,
            staff_id=me.id if me else None,
            created_at=now,
            state="pending",
            message="",
        )
    )
    changes = Changes()
    prior = _apply(conn, mid, type_, fields, now, changes)
    if prior:
        conn.execute(outbox.update().where(outbox.c.mutation_id == mid).values(prior=prior))
    _touch(conn, changes, mid, lead_id)
    return changes


def _apply(conn: Connection, mid: int, type_: str, fields: dict[str, Any], now: datetime, changes: Changes):
    """The optimistic effect of an action; returns what it replaced (for a refusal to put back)."""
    if type_ in INTAKE:
        place_holder(conn, mid, type_, fields, now)
        return None
    if type_ in NO_OPTIMISTIC:
        return None
    if type_ == "status.set":
        me = load_me(conn)
        target = fields.get("staff_id") or (me.id if me else None)
        old = conn.execute(sa.select(staff.c.status).where(staff.c.id == target)).scalar()
        conn.execute(staff.update().where(staff.c.id == target).values(status=fields["status"]))
        if me is not None and target == me.id:
            set_meta(conn, "me", {**get_meta(conn, "me"), "status": fields["status"]})
            changes.me = load_me(conn)
        row = conn.execute(sa.select(staff).where(staff.c.id == target)).first()
        if row is not None:
            changes.staff[row.id] = staff_row(row)
        return {"staff_id": target, "status": old or (me.status if me else "")}
    row = conn.execute(sa.select(leads).where(leads.c.lead_id == fields["lead_id"])).first()
    if row is None:
        return None
    if type_ == "followup.log":
        if row.first_follow_up_at is not None:
            return None
        when = datetime.fromisoformat(fields["occurred_at"]) if fields.get("occurred_at") else now
        conn.execute(leads.update().where(leads.c.lead_id == row.lead_id).values(first_follow_up_at=when))
        return {"set": Instant().process_bind_param(when, None)}
    name = conn.execute(sa.select(staff.c.name).where(staff.c.id == fields["to_staff_id"])).scalar() or ""
    conn.execute(
        leads.update()
        .where(leads.c.lead_id == row.lead_id)
        .values(consultant_id=fields["to_staff_id"], consultant_name=name, state="assigned")
    )
    return {"consultant_id": row.consultant_id, "consultant_name": row.consultant_name, "state": row.state}


def place_holder(conn: Connection, mid: int, type_: str, fields: dict[str, Any], now: datetime) -> None:
    """The local lead a registered visit or report shows as until the hub answers (masked only)."""
    person = fields.get("person") or {}
    accompanied = type_ == "visit.register" and fields.get("kind") == "accompanied_visit"
    if type_ == "report.file":
        channel, kind = "agency", "report"
    else:
        channel, kind = ("agency", "accompanied_visit") if accompanied else ("walk_in", "walk_in")
    occurred = datetime.fromisoformat(fields["occurred_at"]) if fields.get("occurred_at") else now
    values = {
        "customer_id": None,
        "channel": channel,
        "kind": kind,
        "occurred_at": occurred,
        "received_at": now,
        "name_masked": mask_name(person.get("name")),
        "mobile_masked": mask_mobile(person.get("mobile")),
        "state": "",
        "consultant_id": None,
        "consultant_name": "",
        "reason": "",
    }
    if conn.execute(leads.update().where(leads.c.lead_id == -mid).values(**values)).rowcount == 0:
        conn.execute(leads.insert().values(lead_id=-mid, **values))


def rebase(conn: Connection) -> None:
    """Put back the placeholders of pending registrations (after a snapshot or a rebuild)."""
    q = sa.select(outbox).where(outbox.c.state == "pending", outbox.c.type.in_(INTAKE))
    for r in conn.execute(q).all():
        place_holder(conn, r.mutation_id, r.type, r.fields or {}, r.created_at)


def _touch(conn: Connection, changes: Changes, mid: int, *lead_ids: int | None) -> None:
    """Add the outbox item, the leads it concerns and the waiting count to a change set."""
    touch_all(conn, changes, [mid], [i for i in lead_ids if i is not None])


def touch_all(conn: Connection, changes: Changes, mids: list[int], lead_ids: list[int]) -> None:
    """Add these outbox items, the leads they concern and the waiting count to a change set."""
    for row in conn.execute(sa.select(outbox).where(outbox.c.mutation_id.in_(mids))):
        changes.outbox[row.mutation_id] = outbox_item(row)
    for row in read_leads(conn, lead_ids):
        changes.lead(row)
    changes.waiting = waiting_count(conn)


def _touch_later(conn: Connection, changes: Changes, mid: int, lead_id: int | None, later: list | None) -> None:
    """Touch now, or leave (mutation id, lead id) for the caller's one `touch_all` of a whole batch."""
    if later is None:
        _touch(conn, changes, mid, lead_id)
    else:
        later.append((mid, lead_id))


_NEXT_PENDING = (
    sa.select(outbox)
    .where(outbox.c.state == "pending", outbox.c.mutation_id > sa.bindparam("b_after"))
    .order_by(outbox.c.mutation_id)
    .limit(1)
)


def next_to_send(conn: Connection, after: int = 0, me: Me | None = None) -> tuple[Outgoing | None, Changes]:
    """The oldest pending action, its placeholder references resolved; refuses locally what cannot go.

    With `after` (the mutation in flight, read ahead of its answer) an action that refers to a
    registration whose answer is not recorded yet is not returned: it is asked for again once it is.
    """
    changes = Changes()
    me = me or load_me(conn)
    while True:
        r = conn.execute(_NEXT_PENDING, {"b_after": after}).first()
        if r is None:
            return None, changes
        fields = dict(r.fields or {})
        if r.staff_id is not None and me is not None and r.staff_id != me.id:
            changes.merge(
                refuse(conn, r.mutation_id, None, f"该操作由另一位同事在本机提交，当前登录的是 {me.name}，未发送")
            )
            continue
        ref = fields.get("lead_id")
        if isinstance(ref, int) and ref < 0:
            base = conn.execute(sa.select(outbox).where(outbox.c.mutation_id == -ref)).first()
            if after and base is not None and base.state == "pending":
                return None, changes
            real = (base.result or {}).get("lead_id") if base is not None and base.state == "applied" else None
            if real is None:
                changes.merge(refuse(conn, r.mutation_id, None, "所依赖的离线登记未被服务器接受，未发送"))
                continue
            fields["lead_id"] = real
            conn.execute(
                outbox.update().where(outbox.c.mutation_id == r.mutation_id).values(fields=fields, lead_id=real)
            )
            _touch(conn, changes, r.mutation_id, ref, real)
        if r.staff_id is None and me is not None:
            conn.execute(outbox.update().where(outbox.c.mutation_id == r.mutation_id).values(staff_id=me.id))
        return Outgoing(r.mutation_id, r.type, fields), changes


_ONE = sa.select(outbox).where(outbox.c.mutation_id == sa.bindparam("b_mid"))
_APPLIED = (
    outbox.update()
    .where(outbox.c.mutation_id == sa.bindparam("b_mid"))
    .values(state="applied", fields=None, prior=None)
)


def applied(conn: Connection, mid: int, result: dict[str, Any], later: list | None = None) -> Changes:
    """The hub applied an action: keep its result, drop the plaintext, replace a placeholder."""
    changes = Changes()
    r = conn.execute(_ONE, {"b_mid": mid}).first()
    if r is None or r.state != "pending":
        return changes
    notice = ""
    if r.type in INTAKE:
        result = intake_result(result)
        if result.get("lead_id"):
            notice = _swap_placeholder(conn, r, result, changes)
    conn.execute(_APPLIED, {"b_mid": mid, "result": result, "message": notice})
    if notice:
        changes.notices.append(notice)
    _touch_later(conn, changes, mid, r.lead_id if r.lead_id and r.lead_id > 0 else None, later)
    return changes


def intake_result(result: dict[str, Any]) -> dict[str, Any]:
    """One registration's answer, whether first or replayed.

    The hub stores an intake mutation's whole `{"leads": [...]}` and answers a replay with that plus
    `"replayed": true`, while the first answer is `leads[0]` itself; both come out as the latter.
    """
    if "lead_id" not in result and result.get("leads"):
        return {**result["leads"][0], "replayed": bool(result.get("replayed"))}
    return result


def _swap_placeholder(conn: Connection, r: Any, result: dict[str, Any], changes: Changes) -> str:
    """Remove the placeholder; keep its row under the real id if the stream has not brought it."""
    real = result["lead_id"]
    holder = conn.execute(sa.select(leads).where(leads.c.lead_id == -r.mutation_id)).first()
    conn.execute(leads.delete().where(leads.c.lead_id == -r.mutation_id))
    changes.remove_lead(-r.mutation_id)
    exists = conn.execute(sa.select(leads).where(leads.c.lead_id == real)).first()
    if exists is None and holder is not None:
        values = {**holder._asdict(), "lead_id": real, "customer_id": result.get("customer_id")}
        conn.execute(leads.insert().values(**values))
        exists = conn.execute(sa.select(leads).where(leads.c.lead_id == real)).first()
    for row in read_leads(conn, [real]):
        changes.lead(row)
    who = _person_text(r.fields or {})
    said = []
    for p in result.get("problems") or []:
        kind = KIND_ZH.get(p.get("kind"), p.get("kind", ""))
        said.append(f"{kind}{p.get('masked', '')}有误（{p.get('reason', '')}），已照录，请核对")
    explanation = result.get("explanation") or ""
    if explanation and explanation != NEW_CUSTOMER_TEXT and not result.get("replayed"):
        said.append(f"已归入已有客户：{explanation}")
    if said and exists is not None and exists.consultant_name:
        said.append(f"该客户归属 {exists.consultant_name}")
    return f"登记的访客 {who} 已同步：" + "；".join(said) if said else ""


def refuse(conn: Connection, mid: int, code: str | None, message: str, later: list | None = None) -> Changes:
    """The hub (or the outbox itself) refused an action: undo its optimistic effect and say why."""
    changes = Changes()
    r = conn.execute(sa.select(outbox).where(outbox.c.mutation_id == mid)).first()
    if r is None or r.state != "pending":
        return changes
    why = f"{REFUSAL_ZH.get(code, '服务器拒绝')}（{message}）" if code else message
    notice = f"{r.summary} 未被接受：{why}"
    if r.type in INTAKE:
        conn.execute(leads.delete().where(leads.c.lead_id == -mid))
        changes.remove_lead(-mid)
        notice += "；请核对后重新登记"
    else:
        _undo(conn, r, changes)
    conn.execute(
        outbox.update()
        .where(outbox.c.mutation_id == mid)
        .values(state="refused", fields=None, prior=None, message=notice)
    )
    changes.notices.append(notice)
    _touch_later(conn, changes, mid, r.lead_id if r.lead_id and r.lead_id > 0 else None, later)
    return changes


def _undo(conn: Connection, r: Any, changes: Changes) -> None:
    """Put back what an optimistic apply replaced, unless the hub has changed it since."""
    prior = r.prior or {}
    if not prior:
        return
    if r.type == "status.set":
        conn.execute(staff.update().where(staff.c.id == prior["staff_id"]).values(status=prior["status"]))
        me = load_me(conn)
        if me is not None and me.id == prior["staff_id"]:
            set_meta(conn, "me", {**get_meta(conn, "me"), "status": prior["status"]})
            changes.me = load_me(conn)
        return
    if r.type == "followup.log":
        conn.execute(
            leads.update()
            .where(leads.c.lead_id == r.lead_id, leads.c.first_follow_up_at == datetime.fromisoformat(prior["set"]))
            .values(first_follow_up_at=None)
        )
        return
    if r.type == "lead.reassign":
        conn.execute(leads.update().where(leads.c.lead_id == r.lead_id).values(**prior))
