"""Transcript import on SQLite and PostgreSQL: encodings and shapes, matching, idempotency, bad rows,
privacy, retagging, the radar's queries and the `salesfloor hub transcripts import` command."""

from __future__ import annotations

import random
import shutil
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from app.cmd_transcripts import transcripts_group
from app.context import AppContext
from app.keys import encode_key
from app.settings import load_settings
from models.db import write_transaction
from models.leads import LeadIn
from models.skill_radar import ConsultantUsage, build_profile, cycle_findings
from models.staff import add_staff
from models.tags import Tagger, load_taxonomy
from models.transcript_schema import transcript_tags, transcripts
from models.transcripts import (
    CallIn,
    customer_tag_use,
    hints_from_name,
    import_transcript_file,
    load_usage,
    parse_dialogue,
    parse_duration,
    retag,
    transcript_utterances,
)
from tests.conftest import TEST_KEY

DATA = Path(__file__).parent / "data" / "transcripts"
WANG = DATA / "王磊_13812345678_20261120143205.txt"
ZHANG = DATA / "call_0087_gb18030.txt"
SENTENCES = DATA / "asr_sentences_utf16.txt"
ROWS = DATA / "calls_utf8_bom.csv"
MOBILES = {"li": "13812345678", "zhang": "13987654321", "chen": "13700001111"}


@pytest.fixture
def office(registry, clock):
    """Three consultants and three customers known by mobile; returns (staff ids, customer ids)."""
    with write_transaction(registry.engine) as conn:
        people = {
            n: add_staff(conn, registry.vault, n, "consultant", clock.now())[0].id for n in ("王磊", "李敏", "陈晨")
        }
    leads = [
        LeadIn("douyin", f"m-{who}", "douyin", "online_lead", clock.now(), identifiers=[("mobile", m)])
        for who, m in MOBILES.items()
    ]
    results = registry.ingest_many(leads).results
    return people, {who: r.customer_id for who, r in zip(MOBILES, results, strict=True)}


def _import(registry, clock, path, **kw):
    return import_transcript_file(registry.engine, registry.vault, path, clock.now(), **kw)


def _tags(conn, transcript_id: int, speaker: str) -> dict[str, int]:
    rows = conn.execute(
        sa.select(transcript_tags.c.tag, transcript_tags.c.hits).where(
            transcript_tags.c.transcript_id == transcript_id, transcript_tags.c.speaker == speaker
        )
    )
    return dict(rows.all())


def test_a_recorder_file_links_consultant_and_customer_and_tags_each_side(registry, clock, office):
    people, customers = office
    report = _import(registry, clock, WANG)
    assert (report.file_type, report.encoding, report.read, report.created) == ("text", "utf-8", 1, 1)
    assert report.warnings == [] and report.skipped == []
    with registry.engine.connect() as conn:
        row = conn.execute(sa.select(transcripts)).one()
        said = _tags(conn, row.id, "consultant")
        heard = _tags(conn, row.id, "customer")
        utterances = transcript_utterances(conn, registry.vault, row.id)
    assert row.consultant_id == people["王磊"] and row.customer_id == customers["li"]
    assert row.customer_masked == "138****5678"
    assert row.called_at == datetime(2026, 11, 20, 6, 32, 5, tzinfo=UTC)  # 14:32:05 in Shanghai
    assert row.utterances == len(utterances) == 17 and utterances[0].speaker == "consultant"
    assert row.chars == sum(len(u.text) for u in utterances) > row.consultant_chars > 0
    assert said["down_payment_installment"] == 2 and said["provident_fund_loan"] >= 1  # 首付分期, 首付可以分
    assert said["competitor_price"] == 1 and said["scarcity"] == 2 and said["lock_unit"] == 2
    assert heard == {"competitor_named": 1, "provident_fund_loan": 1, "school_district": 1, "visit_invitation": 1}
    assert "down_payment_installment" not in heard


def test_gb18030_text_with_header_lines_and_the_customers_objections_kept_apart(registry, clock, office):
    people, customers = office
    report = _import(registry, clock, ZHANG)
    assert (report.encoding, report.created, report.warnings) == ("gb18030", 1, [])
    with registry.engine.connect() as conn:
        row = conn.execute(sa.select(transcripts)).one()
        said, heard = _tags(conn, row.id, "consultant"), _tags(conn, row.id, "customer")
    assert (row.consultant_id, row.customer_id, row.duration_s) == (people["李敏"], customers["zhang"], 192)
    assert heard["price_too_high"] == 1 and heard["location_far"] == 1 and heard["wait_for_drop"] == 2
    assert "location_far" not in said and said["price_too_high"] == 1  # 李敏 echoes 价格偏高
    for tag in ("objection_defuse", "price_defuse", "wait_defuse", "location_defuse", "escrow", "presale_license"):
        assert said.get(tag, 0) >= 1, tag
    assert said["planning_disclaimer"] == 1  # 以政府公布为准, on a continued line


def test_asr_sentences_in_utf16_group_into_calls_by_call_id(registry, clock, office):
    people, customers = office
    report = _import(registry, clock, SENTENCES)
    assert (report.file_type, report.encoding, report.read, report.created) == ("csv", "utf-16", 2, 2)
    assert [p.ref for p in report.warnings] == ["rows 11-14 (call C-20261118-002)"]
    assert "139****2222" in report.warnings[0].reason and "13900002222" not in report.warnings[0].reason
    with registry.engine.connect() as conn:
        rows = conn.execute(sa.select(transcripts).order_by(transcripts.c.id)).all()
        first = _tags(conn, rows[0].id, "consultant")
    assert [r.source_ref for r in rows] == ["rows 2-10 (call C-20261118-001)", "rows 11-14 (call C-20261118-002)"]
    assert [r.utterances for r in rows] == [9, 4]
    assert rows[0].customer_id == customers["chen"] and rows[1].customer_id is None
    assert {r.consultant_id for r in rows} == {people["陈晨"]}
    for tag in ("through_ventilation", "elevator", "property_fee", "property_service", "car_free", "show_flat"):
        assert first.get(tag, 0) >= 1, tag


def test_bad_rows_are_skipped_with_their_row_and_reason_and_nothing_is_lost(registry, clock, office):
    report = _import(registry, clock, ROWS)
    assert (report.read, report.created, report.replayed) == (6, 4, 0) and report.accounted
    assert [(p.ref, p.reason.split(" (")[0]) for p in report.skipped] == [
        ("row 4", "no transcript text"),
        ("row 5", "time '2026-02-30 10:00:00' on row 5 is unreadable"),
    ]
    warned = {(p.ref, p.reason.split(":")[0]) for p in report.warnings}
    assert ("row 6", "no staff member named '周杰'") in warned
    assert any(p.ref == "row 7" and "1381234" not in p.reason and "not a mobile" in p.reason for p in report.warnings)
    with registry.engine.connect() as conn:
        kept = conn.execute(sa.select(transcripts.c.source_ref, transcripts.c.consultant_id)).all()
    assert sorted(r.source_ref for r in kept) == ["row 2", "row 3", "row 6", "row 7"]
    assert dict(kept)["row 6"] is None  # kept, unlinked


def test_importing_again_changes_nothing_and_fills_in_links_made_possible_since(registry, clock, office):
    first = _import(registry, clock, ROWS)
    again = _import(registry, clock, ROWS)
    assert (again.created, again.replayed, again.relinked, len(again.skipped)) == (0, 4, 0, 2)
    assert again.transcript_ids == first.transcript_ids
    with write_transaction(registry.engine) as conn:
        zhou = add_staff(conn, registry.vault, "周杰", "consultant", clock.now())[0].id
    registry.ingest(
        LeadIn("anjuke", "a-1", "anjuke", "online_lead", clock.now(), identifiers=[("mobile", "136 0000 3333")])
    )
    third = _import(registry, clock, ROWS)
    assert (third.created, third.replayed, third.relinked) == (0, 4, 1)
    with registry.engine.connect() as conn:
        row = conn.execute(sa.select(transcripts).where(transcripts.c.source_ref == "row 6")).one()
        assert conn.execute(sa.select(sa.func.count()).select_from(transcripts)).scalar() == 4
    assert row.consultant_id == zhou and row.customer_id is not None


def test_xlsx_rows_with_typed_cells(registry, clock, office, tmp_path):
    people, customers = office
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["坐席姓名", "客户号码", "通话开始时间", "通话时长(秒)", "转写文本"])
    sheet.append(
        ["李敏(8002)", 13987654321, datetime(2026, 11, 18, 9, 0), 61, "坐席：张先生您好，公积金贷款额度我帮您问了。"]
    )
    sheet.append(
        ["王磊", 13812345678, datetime(2026, 11, 18, 9, 30), 45, "客户：车位多少钱？\n坐席：车位价格是十二万。"]
    )
    book.save(tmp_path / "calls.xlsx")
    report = _import(registry, clock, tmp_path / "calls.xlsx")
    assert (report.file_type, report.created, report.warnings) == ("xlsx", 2, [])
    with registry.engine.connect() as conn:
        rows = conn.execute(sa.select(transcripts).order_by(transcripts.c.id)).all()
        second = _tags(conn, rows[1].id, "consultant")
    assert [(r.consultant_id, r.customer_id) for r in rows] == [
        (people["李敏"], customers["zhang"]),
        (people["王磊"], customers["li"]),
    ]
    assert rows[0].called_at == datetime(2026, 11, 18, 1, 0, tzinfo=UTC) and rows[0].duration_s == 61
    assert second == {"parking_price": 1}


def test_no_mobile_is_stored_in_clear_and_the_text_is_encrypted(registry, clock, office):
    for path in sorted(DATA.iterdir()):
        _import(registry, clock, path)
    with registry.engine.connect() as conn:
        rows = conn.execute(sa.select(transcripts)).all()
    assert len(rows) == 10
    for row in rows:
        plain = " ".join(str(v) for k, v in row._mapping.items() if k != "text_enc")
        for digits in ("13812345678", "13987654321", "13700001111", "13900002222", "1381234"):
            assert digits not in plain
        assert "您好".encode() not in bytes(row.text_enc) and "顾问".encode() not in bytes(row.text_enc)


def test_anonymous_speakers_and_traditional_characters(registry, clock, office):
    _import(registry, clock, DATA / "说话人_录音0093.txt")
    _import(registry, clock, DATA / "繁體_通話.txt")
    with registry.engine.connect() as conn:
        anon, trad = conn.execute(sa.select(transcripts.c.id).order_by(transcripts.c.id)).scalars().all()
        said = _tags(conn, anon, "consultant")
        heard = _tags(conn, anon, "customer")
        traditional = _tags(conn, trad, "consultant")
        speakers = [u.speaker for u in transcript_utterances(conn, registry.vault, anon)]
    assert speakers[:4] == ["consultant", "customer", "consultant", "customer"]  # the one who says 您
    assert said["purchase_purpose"] == 2 and said["total_budget"] == 1 and said["household"] == 1
    assert heard == {"unit_price": 1}  # 总价三百万以内
    assert {"down_payment_installment", "provident_fund_loan", "school_district", "school_disclaimer"} <= set(
        traditional
    )
    assert traditional["interest_rate"] == 1  # ＬＰＲ, full-width


def test_dialogue_lines_durations_and_file_names():
    lines = ["[00:00:01] 坐席: 您好", "00:00:03 客户：你好", "注意：这是续行", "1", "00:00:05,000 --> 00:00:07,000"]
    assert [(u.speaker, u.text) for u in parse_dialogue(lines)] == [
        ("consultant", "您好"),
        ("customer", "你好注意：这是续行"),
    ]
    assert [(u.speaker, u.text) for u in parse_dialogue(["王磊：您好", "李女士：嗯", "注意：续行"], "王磊")] == [
        ("consultant", "您好"),
        ("customer", "嗯注意：续行"),
    ]
    assert [parse_duration(v) for v in ("95", "02:10", "00:03:12", "2分5秒", "", "abc")] == [
        95,
        130,
        192,
        125,
        None,
        None,
    ]
    assert hints_from_name("王磊_13812345678_20261120143205") == {
        "customer": "13812345678",
        "time": "20261120143205",
        "consultant": "王磊",
    }
    assert hints_from_name("王磊_20261120_143205")["time"] == "20261120143205"
    assert hints_from_name("通话录音_0093") == {}  # a bare word is not taken for a name


def test_defaults_name_what_a_file_does_not(registry, clock, office, tmp_path):
    people, customers = office
    path = tmp_path / "call.txt"
    path.write_text("顾问：您好，我是置业顾问。\n客户：嗯。", encoding="utf-8-sig")
    report = _import(registry, clock, path, defaults=CallIn("file", consultant="陈晨", customer="137 0000 1111"))
    assert report.encoding == "utf-8-sig" and report.warnings == []
    with registry.engine.connect() as conn:
        row = conn.execute(sa.select(transcripts)).one()
    assert (row.consultant_id, row.customer_id, row.called_at) == (people["陈晨"], customers["chen"], None)


def test_retag_recounts_calls_counted_with_another_taxonomy(registry, clock, office, tmp_path):
    _import(registry, clock, WANG)
    small = tmp_path / "taxonomy.toml"
    small.write_text(
        '[dimensions]\nfinance = { name = "价格与金融" }\n'
        '[tags.finance]\nloan = { name = "贷款", phrases = ["公积金", "组合贷"] }\n',
        encoding="utf-8",
    )
    tagger = Tagger(load_taxonomy(small))
    assert retag(registry.engine, registry.vault, tagger) == 1
    assert retag(registry.engine, registry.vault, tagger) == 0
    with registry.engine.connect() as conn:
        tid = conn.execute(sa.select(transcripts.c.id)).scalar_one()
        assert _tags(conn, tid, "consultant") == {"loan": 3}
        assert _tags(conn, tid, "customer") == {"loan": 1}
    assert retag(registry.engine, registry.vault) == 1  # back to the shipped taxonomy


def test_the_radar_queries_count_consultant_speech_per_consultant_and_tags_per_customer(registry, clock, office):
    people, customers = office
    for path in (WANG, ZHANG, SENTENCES, ROWS):
        _import(registry, clock, path)
    with registry.engine.connect() as conn:
        usage = {u.name: u for u in load_usage(conn)}
        in_period = load_usage(conn, datetime(2026, 11, 19, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC))
        heard = customer_tag_use(conn)
        by_li = customer_tag_use(conn, consultant_id=people["李敏"])
    assert set(usage) == {"王磊", "李敏", "陈晨"}
    assert (usage["王磊"].calls, usage["李敏"].calls, usage["陈晨"].calls) == (3, 2, 2)
    assert usage["李敏"].hits.get("location_far", 0) == 0  # the customer said 有点偏, not 李敏
    assert usage["李敏"].hits["objection_defuse"] == 2
    assert {u.name: u.calls for u in in_period} == {"王磊": 2, "李敏": 2}
    assert {"down_payment_installment", "competitor_price"} <= heard[customers["li"]]
    assert set(by_li) == {customers["zhang"]} and "price_defuse" in by_li[customers["zhang"]]


def test_the_command_imports_files_and_never_prints_a_mobile(registry, clock, office, tmp_path, monkeypatch, db_url):
    monkeypatch.setenv("SALESFLOOR_MASTER_KEY", encode_key(TEST_KEY))
    app = AppContext(load_settings(db=db_url, data_dir=tmp_path, key_source="env"), clock=clock)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    files = [shutil.copy(p, tmp_path / p.name) for p in (WANG, ROWS, SENTENCES)]
    result = CliRunner().invoke(transcripts_group, ["import", *map(str, files), str(broken)], obj=app)
    assert result.exit_code == 2, result.output
    assert "王磊_138****5678_20261120143205.txt (text, utf-8)" in result.output  # even the file name is masked
    assert "13812345678" not in result.output and "13900002222" not in result.output
    assert "1 call(s) read · 1 created" in result.output
    assert "skipped row 4: no transcript text" in result.output
    assert "broken.xlsx: not imported: cannot open the workbook" in result.output
    again = CliRunner().invoke(transcripts_group, ["import", str(files[1])], obj=app)
    assert again.exit_code == 0 and "6 call(s) read · 0 created · 4 already imported · 2 skipped" in again.output
    assert "0 call(s) recounted" in CliRunner().invoke(transcripts_group, ["retag"], obj=app).output


# --- the radar's figures (pure) ------------------------------------------------------------------


def _usage():
    """Two consultants: 王磊 closes hard, 李敏 handles objections; one risky claim from 王磊."""
    return [
        ConsultantUsage(1, "王磊", calls=10, chars=4000, hits={"urgency": 8, "push_close": 4, "greeting": 10,
                                                                "promise_appreciation": 2}),
        ConsultantUsage(2, "李敏", calls=10, chars=6000, hits={"objection_defuse": 9, "greeting": 12, "urgency": 1,
                                                                "escrow": 3}),
    ]  # fmt: skip


def test_a_profile_sets_the_consultant_beside_the_pooled_team():
    profile = build_profile(_usage(), 1)
    dims = {d.key: d for d in profile.dimensions}
    assert len(dims) == 8 and (profile.calls, profile.chars, profile.team_size, profile.team_calls) == (10, 4000, 2, 20)
    assert dims["closing"].mine == pytest.approx(12 * 1000 / 4000)
    assert dims["closing"].team == pytest.approx(13 * 1000 / 10000)
    assert dims["closing"].best == dims["closing"].mine
    assert dims["objection"].mine == 0 and dims["objection"].best == pytest.approx(9 * 1000 / 6000)
    assert dims["compliance"].mine == 0  # a risky claim never raises the compliance score
    assert [r.key for r in profile.risks] == ["promise_appreciation"] and profile.risks[0].hits == 2
    assert [t.key for t in profile.top] == ["push_close", "urgency", "greeting"]
    assert profile.top[0].index == pytest.approx(1.0 / 0.4)
    assert [t.key for t in profile.bottom] == ["objection_defuse", "escrow"]
    per_call = build_profile(_usage(), 2, per="call")
    assert {d.key: d.mine for d in per_call.dimensions}["objection"] == pytest.approx(0.9)
    with pytest.raises(KeyError):
        build_profile(_usage(), 99)


def test_tag_versus_cycle_claims_only_what_the_sample_supports():
    rng = random.Random(5)
    heard: dict[int, set[str]] = {}
    cycles: dict[int, float] = {}
    for cid in range(80):
        tags = set()
        if cid % 2 == 0:
            tags.add("competitor_price")
        if cid % 3 == 0:
            tags.add("urgency")  # no effect
        if cid % 5 == 1:
            tags.add("layout_dislike")
        if cid < 6:
            tags.add("school_district")  # too few to say anything
        heard[cid] = tags
        cycles[cid] = 40 - (12 if "competitor_price" in tags else 0) + (10 if "layout_dislike" in tags else 0)
        cycles[cid] += rng.gauss(0, 4)
    heard[500] = {"greeting"}  # calls but no closed deal: left out
    findings = {f.tag: f for f in cycle_findings(heard, cycles)}
    assert "greeting" not in findings
    price = findings["competitor_price"]
    assert (price.verdict, price.users, price.non_users) == ("faster", 40, 40)
    assert 9 < price.days_faster < 15 and price.p_value < 0.001
    assert findings["layout_dislike"].verdict == "slower" and findings["layout_dislike"].days_faster < -5
    assert findings["urgency"].verdict == "no_difference" and findings["urgency"].p_value >= 0.05
    school = findings["school_district"]
    assert (school.verdict, school.users, school.p_value) == ("not_enough_data", 6, None)
    assert cycle_findings(heard, cycles, min_each=5)[-1].verdict != "not_enough_data"  # the minimum is configurable
    ordered = [f.verdict for f in cycle_findings(heard, cycles)]
    groups = [{"faster": 0, "slower": 0, "no_difference": 1, "not_enough_data": 2}[v] for v in ordered]
    assert groups == sorted(groups) and groups[0] == 0  # claims first, then no difference, then too few


def test_profiles_from_imported_calls(registry, clock, office):
    people, _ = office
    for path in (WANG, ZHANG, SENTENCES, ROWS):
        _import(registry, clock, path)
    with registry.engine.connect() as conn:
        usage = load_usage(conn)
    wang = build_profile(usage, people["王磊"])
    dims = {d.key: d for d in wang.dimensions}
    assert wang.name == "王磊" and wang.calls == 3 and wang.team_size == 3
    assert dims["closing"].mine > dims["closing"].team > 0
    assert all(0 <= d.mine <= d.best and d.team <= d.best for d in wang.dimensions)


def test_a_dialogue_that_opens_with_a_speaker_label_is_not_read_as_a_header():
    from models.transcripts import CallIn, read_text_call

    opening = "agent: Hello, this is Wang from the sales office\ncustomer: hi\nagent: about the discount"
    call = read_text_call(opening, "call.txt", CallIn("file"))
    assert call.consultant == "" and len(call.utterances) == 3  # nothing of the conversation lost
    header = read_text_call("agent: Wang Lei\ncustomer: hi\nagent: about the discount", "call.txt", CallIn("file"))
    assert header.consultant == "Wang Lei" and len(header.utterances) == 2


def test_the_radar_lists_only_tags_above_or_below_the_team():
    from models.skill_radar import ConsultantUsage, build_profile
    from models.tags import default_taxonomy

    keys = [t.key for t in default_taxonomy().tags if not t.risk][:6]
    strong = ConsultantUsage(1, "王磊", 10, 10_000, dict.fromkeys(keys, 15))
    weak = ConsultantUsage(2, "李敏", 10, 10_000, dict.fromkeys(keys, 5))
    best, worst = build_profile([strong, weak], 1), build_profile([strong, weak], 2)
    assert best.top and not best.bottom and all(t.index > 1 for t in best.top)
    assert worst.bottom and not worst.top and all(t.index < 1 for t in worst.bottom)
