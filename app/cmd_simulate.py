"""`salesfloor simulate`: replay a recorded day through the real dispatch policy and ask "what if".

Reads the day from the hub database (models/whatif_data.py), replays it as it was and with the
changes asked for (models/whatif.py), and prints what actually happened beside the prediction, each
consultant's load, and a one-line recommendation, in Chinese (or `--json` for scripts).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date

import click
from rich.table import Table

from app.context import AppContext
from app.render import console
from models.dispatch import DispatchMode
from models.whatif import Outlook, Prediction, Scenario, predict
from models.whatif_data import DayData, NoLeadsError, load_day

pass_app = click.make_pass_decorator(AppContext)
WEEKDAYS = "一二三四五六日"
MODE_ZH = {DispatchMode.AUTO: "空闲派单", DispatchMode.GRAB: "抢单"}
CAUTION = 0.10  # the replay of the day as it was strays this far from what happened: say so


def _delta(ctx: click.Context, param: click.Parameter, value: str | None) -> int:
    """'+2', '-1' or '2' → a signed number of consultants."""
    if value in (None, ""):
        return 0
    try:
        return int(value.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r}: give a signed count such as +2 or -1") from None


@click.command("simulate")
@click.option("--day", "day", required=True, type=click.DateTime(["%Y-%m-%d"]), help="The business day to replay.")
@click.option("--consultants", callback=_delta, default=None, metavar="+N|-N", help="Add (+2) or remove (-1) people.")
@click.option(
    "--mode", type=click.Choice(["grab", "idle"]), default=None, help="Run the whole day as grab pool or idle."
)
@click.option("--idle-minutes", type=click.IntRange(0), default=None, help="Idle window of idle assignment.")
@click.option("--grab-seconds", type=click.IntRange(1), default=None, help="How long a grab offer stays open.")
@click.option("--runs", type=click.IntRange(1, 500), default=20, show_default=True, help="Runs with different seeds.")
@click.option("--seed", type=int, default=20261121, show_default=True, help="Seed of the first run.")
@click.option(
    "--history",
    "history_days",
    type=click.IntRange(0, 60),
    default=0,
    show_default=True,
    help="Also learn behaviour from this many earlier days.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@pass_app
def simulate_command(
    app: AppContext, day, consultants, mode, idle_minutes, grab_seconds, runs, seed, history_days, as_json
) -> None:
    """Replay a recorded day's leads through the real dispatch engine: predicted 5-minute rate and load."""
    the_day = day.date()
    forced = {"grab": DispatchMode.GRAB, "idle": DispatchMode.AUTO}.get(mode)
    scenario = Scenario(consultants, forced, idle_minutes, grab_seconds, runs, seed)
    try:
        with app.engine.connect() as conn:
            data = load_day(conn, the_day, app.clock.now(), history_days, app.rules.calendar)
        prediction = predict(data.recorded, app.rules.dispatch, scenario, data.history)
    except (NoLeadsError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    line = recommendation(the_day, data, prediction)
    if as_json:
        click.echo(json.dumps(report_json(the_day, data, prediction, line), ensure_ascii=False, indent=2))
        return
    print_report(the_day, data, prediction, line)


def weekday_zh(day: date) -> str:
    """'周六' for a Saturday."""
    return "周" + WEEKDAYS[day.weekday()]


def percent(value: float | None) -> str:
    """71% (a dash when there is nothing to count)."""
    return "-" if value is None else f"{value * 100:.0f}%"


def duration_zh(seconds: float | None) -> str:
    """'2分30秒', '45秒', '1小时5分'."""
    if seconds is None:
        return "-"
    s = round(seconds)
    if s < 60:
        return f"{s}秒"
    if s < 3600:
        return f"{s // 60}分{s % 60:02d}秒"
    return f"{s // 3600}小时{s % 3600 // 60}分"


def changes_zh(prediction: Prediction) -> list[str]:
    """What the scenario changes, in the manager's words."""
    sc, out = prediction.scenario, []
    if sc.consultants > 0:
        out.append(f"增加 {sc.consultants} 名顾问")
    elif sc.consultants < 0:
        out.append(f"减少 {-sc.consultants} 名顾问")
    if sc.mode is not None:
        out.append(f"改为{MODE_ZH[sc.mode]}")
    if sc.idle_minutes is not None:
        out.append(f"空闲阈值 {sc.idle_minutes} 分钟")
    if sc.grab_seconds is not None:
        out.append(f"抢单时限 {sc.grab_seconds} 秒")
    return out


def recommendation(day: date, data: DayData, prediction: Prediction) -> str:
    """'周六增加 2 名顾问：5分钟达标率 预计 71% → 88%': the day replayed as it was → with the change, both
    simulated, so the model's own error does not pass for the effect of the change."""
    changes = changes_zh(prediction)
    after = percent(prediction.predicted.rate_5)
    if not changes:
        return f"{weekday_zh(day)}按当日设置回放：5分钟达标率 预计 {after}（实际 {percent(data.actual.rate_5)}）"
    before = percent(prediction.baseline.rate_5)
    return f"{weekday_zh(day)}{'、'.join(changes)}：5分钟达标率 预计 {before} → {after}（按当日设置回放为 {before}）"


def _range(o: Outlook) -> str:
    if o.rate_5 is None:
        return "-"
    return f"{percent(o.rate_5)}（{percent(o.rate_5_low)}–{percent(o.rate_5_high)}）"


def print_report(day: date, data: DayData, prediction: Prediction, line: str) -> None:
    """The Chinese report: settings, actual against predicted, each consultant's load, the recommendation."""
    rec, p = data.recorded, prediction
    console.rule(f"{day.isoformat()} {weekday_zh(day)} 派单模拟（{p.scenario.runs} 次运行，种子 {p.scenario.seed}）")
    people = len(rec.consultants)
    console.print(
        f"当日实际：{MODE_ZH[rec.mode]}，抢单时限 {p.recorded_rules.grab_seconds} 秒，"
        f"空闲阈值 {p.recorded_rules.idle_minutes} 分钟，顾问 {people} 名，线索 {len(rec.leads)} 条"
    )
    learned = "行为取自当日" + (f"及之前 {len(data.history)} 天" if data.history else "")
    if p.scenario.changes:
        parts = ["、".join(changes_zh(p))]
        if p.added:
            parts.append(f"{'、'.join(p.added)} 表现同 {p.like}（首次响应居中的顾问），全天在岗")
        if p.removed:
            parts.append(f"移除当日线索最少的 {'、'.join(p.removed)}")
        console.print("模拟调整：" + "；".join(parts))
    console.print(f"[dim]{learned}；预测为 {p.scenario.runs} 次运行的平均值，括号内为 10%–90% 区间[/dim]")
    table = Table(title="实际与预测")
    for col in ("指标", "实际", "按当日设置回放", "调整后预测"):
        table.add_column(col, justify="left" if col == "指标" else "right")
    a, b, c = data.actual, p.baseline, p.predicted
    table.add_row("线索", str(a.leads), str(b.leads), str(c.leads))
    table.add_row("[bold]5分钟达标率[/bold]", percent(a.rate_5), _range(b), f"[bold]{_range(c)}[/bold]")
    table.add_row("2小时达标率", percent(a.rate_2h), percent(b.rate_2h), percent(c.rate_2h))
    table.add_row("首次响应中位数", duration_zh(a.median_s), duration_zh(b.median_s), duration_zh(c.median_s))
    table.add_row("超5分钟未跟进", f"{a.unanswered:.0f}", f"{b.unanswered:.1f}", f"{c.unanswered:.1f}")
    console.print(table)
    console.print(load_table(data.actual, p))
    if a.rate_5 is not None and b.rate_5 is not None and abs(b.rate_5 - a.rate_5) > CAUTION:
        console.print(
            f"[yellow]注意：按当日设置回放为 {percent(b.rate_5)}，与实际 {percent(a.rate_5)} 相差较大，"
            "预测仅供参考（可加 --history 7 用更多天学习顾问表现）[/yellow]"
        )
    console.print(f"[bold green]{line}[/bold green]")


def _hour(row) -> str:
    if row is None or row.busiest_hour is None:
        return "-"
    return f"{row.busiest_hour:02d}:00–{row.busiest_hour + 1:02d}:00（{row.busiest_leads:.1f} 条）"


def load_table(actual: Outlook, prediction: Prediction) -> Table:
    """Per consultant: actual and predicted leads, 5-minute rate and busiest hour."""
    table = Table(title="顾问负载")
    for col in ("顾问", "实际线索", "实际5分钟", "预测线索", "预测5分钟", "预测最忙时段"):
        table.add_column(col, justify="left" if col in ("顾问", "预测最忙时段") else "right")
    was = {r.staff_id: r for r in actual.consultants}
    will = {r.staff_id: r for r in prediction.predicted.consultants}
    for sid in sorted(set(was) | set(will), key=lambda k: (k is None, k or 0)):
        old, new = was.get(sid), will.get(sid)
        name = (new or old).name
        if new is not None and new.added:
            name += "（新增）"
        elif new is None and name in prediction.removed:
            name += "（移除）"
        elif sid is None:
            name = "经理待派"
        table.add_row(
            name,
            f"{old.leads:.0f}" if old else "-",
            percent(old.rate_5) if old else "-",
            f"{new.leads:.1f}" if new else "-",
            percent(new.rate_5) if new else "-",
            _hour(new),
        )
    return table


def report_json(day: date, data: DayData, prediction: Prediction, line: str) -> dict:
    """The same report as plain JSON."""
    return {
        "day": day.isoformat(),
        "weekday": weekday_zh(day),
        "recorded_mode": data.recorded.mode.value,
        "learned_from_days": [day.isoformat(), *(d.day.isoformat() for d in data.history)],
        "scenario": asdict(prediction.scenario),
        "mode": prediction.mode.value,
        "rules": {
            "idle_minutes": prediction.rules.idle_minutes,
            "grab_seconds": prediction.rules.grab_seconds,
            "grab_fallback": [s.value for s in prediction.rules.grab_fallback],
        },
        "actual": asdict(data.actual),
        "baseline": asdict(prediction.baseline),
        "predicted": asdict(prediction.predicted),
        "added": list(prediction.added),
        "removed": list(prediction.removed),
        "like": prediction.like,
        "recommendation": line,
    }
