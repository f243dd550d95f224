"""Lead file import: encodings, XLSX, mappings, rejections, replays, and the CLI (which never shows a phone)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from app.cli import cli
from app.cmd_import import ingest_rows
from app.keys import encode_key
from models.import_mapping import MappingError, known_sources, load_mapping, mapping_for_source
from models.importer import LeadReader, RowRejection, parse_time
from models.leads import Channel, LeadIn, TouchKind
from models.schema import customers, identifiers, leads
from models.tabular import SourceFileError
from tests.conftest import TEST_KEY

NOW = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)  # the `clock` fixture's time
ID_LI = "11010519491231002X"
MOBILE_RE = re.compile(r"1\d{10}")
DOUYIN_HEADER = ["线索ID", "姓名", "手机号", "身份证号", "留资时间", "城市"]
DOUYIN_ROWS = [
    ["DY-1", "李敏", "１３８１２３４５６７８", ID_LI, "2026-11-19 10:00:00", "杭州"],  # full-width digits
    ["DY-2", "李敏", "+86 138-1234-5678", "", "2026/11/19 11:05", "杭州"],  # same person, another format
    ["DY-3", "王强", "13987654321", "", "2026-11-19 12:00:00", "宁波"],
    ["DY-4", "赵六", "1381234", "", "2026-11-19 13:00:00", "宁波"],  # invalid mobile: imported, flagged
    ["DY-5", "钱七", "13700001111", "", "2026-02-30 10:00:00", "温州"],  # no such date: rejected
]


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    """Write a CSV as an export would (encoding given, CRLF line ends)."""
    buf = io.StringIO()
    csv.writer(buf).writerows([header, *rows])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def reader(path: Path, source: str = "douyin", **kw) -> LeadReader:
    """A reader of a file through the shipped mapping of `source`."""
    return LeadReader(path, mapping_for_source(source), source, now=NOW, **kw)


def read_all(path: Path, source: str = "douyin", **kw) -> list[tuple[int, LeadIn | RowRejection]]:
    """All rows of a file through the shipped mapping of `source`."""
    return list(reader(path, source, **kw))


def active_customers(engine) -> int:
    """How many customers are active."""
    with engine.connect() as conn:
        return conn.execute(
            sa.select(sa.func.count()).select_from(customers).where(customers.c.status == "active")
        ).scalar()


# --- reading and mapping (no database) ------------------------------------------------------------


def test_gb18030_csv_maps_douyin_columns_and_keeps_the_raw_row(tmp_path):
    path = write_csv(tmp_path / "dy.csv", DOUYIN_HEADER, DOUYIN_ROWS, "gb18030")
    reader = LeadReader(path, mapping_for_source("douyin"), "douyin", now=NOW)
    assert reader.table.encoding == "gb18030"
    rows = list(reader)
    assert [n for n, _ in rows] == [2, 3, 4, 5, 6]  # spreadsheet row numbers: the header is row 1
    _, lead = rows[0]
    assert isinstance(lead, LeadIn)
    assert (lead.source, lead.source_message_id, lead.channel, lead.kind) == (
        "douyin",
        "DY-1",
        Channel.DOUYIN,
        TouchKind.ONLINE_LEAD,
    )
    assert lead.occurred_at == datetime(2026, 11, 19, 2, 0, tzinfo=UTC)  # 10:00 Beijing time
    assert ("national_id", ID_LI) in lead.identifiers and ("mobile", "１３８１２３４５６７８") in lead.identifiers
    assert json.loads(lead.payload) == dict(zip(DOUYIN_HEADER, DOUYIN_ROWS[0], strict=True))
    assert rows[1][1].occurred_at == datetime(2026, 11, 19, 3, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("encoding", "detected", "delimiter"),
    [("utf-8-sig", "utf-8-sig", ","), ("utf-8", "utf-8", ";"), ("gbk", "gb18030", ","), ("utf-16", "utf-16", "\t")],
)
def test_encodings_and_delimiters_are_detected(tmp_path, encoding, detected, delimiter):
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter).writerows([DOUYIN_HEADER, DOUYIN_ROWS[0]])
    (tmp_path / "f.csv").write_bytes(buf.getvalue().encode(encoding))
    r = reader(tmp_path / "f.csv")
    assert r.table.encoding == detected and r.headers == DOUYIN_HEADER  # no BOM left on the first header
    [(_, lead)] = list(r)
    assert lead.source_message_id == "DY-1" and lead.name == "李敏"


def test_bad_rows_are_rejected_with_row_column_and_reason(tmp_path):
    header = ["渠道", "姓名", "手机号", "时间"]
    rows = [
        ["抖音", "甲", "13800000001", ""],
        ["抖音", "乙", "13800000002", "2026-02-30 09:00"],
        ["微博", "丙", "13800000003", "2026-11-19 09:00"],
        ["小红书", "", "", "2026-11-19 09:00"],
        ["安居客", "丁", "13800000004", "2030-01-01 09:00"],
        ["安居客", "戊", "13800000005", "yesterday"],
        ["自然到访", "", "", ""],
    ]
    out = dict(read_all(write_csv(tmp_path / "g.csv", header, rows), "generic"))
    assert all(isinstance(r, RowRejection) for r in out.values())
    got = {n: (r.column, r.reason) for n, r in out.items()}
    assert got[2] == ("时间", "missing time")
    assert got[3][0] == "时间" and "day is out of range" in got[3][1] and "2026-02-30" in got[3][1]
    assert got[4][0] == "渠道" and got[4][1].startswith("unknown channel '微博'")
    assert got[5] == ("手机号/姓名", "no identifier and no name")
    assert got[6][0] == "时间" and "in the future" in got[6][1]
    assert got[7][0] == "时间" and "matches none of the time formats" in got[7][1]
    assert got[8] == ("时间", "missing time")
    assert out[4].raw["渠道"] == "微博"  # the raw row travels with the rejection


def test_xlsx_datetime_cells_numeric_phones_preamble_and_sheet(tmp_path):
    book = openpyxl.Workbook()
    first = book.active
    first.title = "说明"
    first.append(["nothing to see"])
    ws = book.create_sheet("线索")
    ws.append(["小程序留资记录 导出于 2026-11-20"])  # a title line above the header
    ws.append(["记录ID", "昵称", "授权手机号", "unionid", "留资时间"])
    ws.append(["MP-1", "Lily", 13812345678, "oUnion_xyz789", datetime(2026, 11, 19, 20, 30)])
    ws.append([None, None, None, None, None])
    ws.append(["MP-2", "Bo", "13987654321", "null", "2026-11-19 21:00:00"])
    book.save(tmp_path / "mp.xlsx")
    reader = LeadReader(tmp_path / "mp.xlsx", mapping_for_source("mini_program"), "mini_program", "线索", now=NOW)
    rows = list(reader)
    assert reader.header_row == 2 and reader.preamble_rows == 1 and reader.blank_rows == 1
    (n1, a), (n2, b) = rows
    assert (n1, n2) == (3, 5)
    assert a.occurred_at == datetime(2026, 11, 19, 12, 30, tzinfo=UTC)
    assert ("mobile", "13812345678") in a.identifiers and ("wx_union_id", "oUnion_xyz789") in a.identifiers
    assert json.loads(a.payload)["留资时间"] == "2026-11-19 20:30:00"
    assert ("wx_union_id", "null") in b.identifiers  # a placeholder is the registry's business, not a rejection
    with pytest.raises(SourceFileError, match="no sheet 'Sheet9'"):
        LeadReader(tmp_path / "mp.xlsx", mapping_for_source("mini_program"), "mini_program", "Sheet9")


def test_rows_without_a_message_id_get_a_stable_id_from_their_content(tmp_path):
    header = ["姓名", "手机号", "到访时间"]
    rows = [["李敏", "13812345678", "2026-11-19 15:00"], ["李敏", "13812345678", "2026-11-19 16:00"]]
    first = [lead.source_message_id for _, lead in read_all(write_csv(tmp_path / "a.csv", header, rows), "walk_in")]
    again = [lead.source_message_id for _, lead in read_all(write_csv(tmp_path / "b.csv", header, rows), "walk_in")]
    assert first == again and first[0] != first[1] and first[0].startswith("row:")


def test_agency_rows_are_visits_when_the_visit_time_is_filled(tmp_path):
    header = ["机构", "经纪人", "经纪人编号", "报备编号", "客户姓名", "客户电话", "报备时间", "到访时间"]
    rows = [
        ["lianjia", "张经纪", "z01", "BB-1", "李敏", "138****5678", "2026-11-18 10:00", ""],
        ["lianjia", "张经纪", "z01", "BB-1", "李敏", "13812345678", "2026-11-18 10:00", "2026-11-19 15:00"],
        ["", "王经纪", "w01", "BB-2", "王强", "13987654321", "2026-11-18 11:00", ""],
    ]
    (_, report), (_, visit), (_, missing) = read_all(write_csv(tmp_path / "ag.csv", header, rows), "agency")
    assert report.kind is TouchKind.REPORT and report.report_code == "BB-1" and report.agency_code == "lianjia"
    assert visit.kind is TouchKind.ACCOMPANIED_VISIT and visit.occurred_at == datetime(2026, 11, 19, 7, tzinfo=UTC)
    assert visit.broker_name == "张经纪" and visit.broker_code == "z01"
    assert isinstance(missing, RowRejection) and missing.column == "机构" and "agency_code" in missing.reason


def test_file_and_mapping_errors_name_the_problem(tmp_path):
    with pytest.raises(MappingError, match="known sources: agency, anjuke, douyin"):
        mapping_for_source("weibo")
    assert {"douyin", "anjuke", "xiaohongshu", "mini_program", "agency", "walk_in", "generic"} <= set(known_sources())
    assert all(mapping_for_source(name).all_headers() for name in known_sources())  # every shipped one is valid
    bad = {
        'channel = "douyin"\n': "unknown key 'channel'",
        '[fixed]\nchannel = "douyin"\n[columns]\noccurred_at = "t"\n[identifiers]\nphone = "p"\n': "identifiers.phone",
        '[fixed]\nchannel = "weibo"\n': "fixed.channel",
        '[columns]\nwhen = "t"\n': "columns.when",
        'time_formats = ["YYYY-MM-DD"]\n': "time_formats entry 'YYYY-MM-DD'",
        "[columns\n": "not valid TOML",
        '[fixed]\nchannel = "douyin"\n[identifiers]\nmobile = "x"\n': "columns.occurred_at",
    }
    for text, message in bad.items():
        (tmp_path / "m.toml").write_text(text, encoding="utf-8")
        with pytest.raises(MappingError, match=re.escape(message)):
            load_mapping(tmp_path / "m.toml")
    path = write_csv(tmp_path / "x.csv", ["姓名", "手机号", "城市"], [["李敏", "13812345678", "杭州"]])
    with pytest.raises(SourceFileError, match="no time column"):
        read_all(path)
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    with pytest.raises(SourceFileError, match=r"save it as \.xlsx"):
        read_all(tmp_path / "old.xls")


def test_parse_time_formats():
    formats = ("%Y-%m-%d %H:%M:%S", "epoch", "iso")
    assert parse_time("２０２６-１１-１９ ０８：００：００", formats) == datetime(2026, 11, 19, 0, tzinfo=UTC)
    assert parse_time("1763510400", formats) == datetime(2025, 11, 19, 0, tzinfo=UTC)
    assert parse_time("2026-11-19T08:00:00+00:00", formats) == datetime(2026, 11, 19, 8, tzinfo=UTC)
    assert parse_time(46345.5, ("iso",)) == datetime(2026, 11, 19, 4, tzinfo=UTC)  # an Excel serial number


# --- into the registry (SQLite and PostgreSQL) ----------------------------------------------------


def test_import_merges_formats_flags_invalid_ids_and_reimport_is_all_replays(registry, tmp_path):
    path = write_csv(tmp_path / "dy.csv", DOUYIN_HEADER, DOUYIN_ROWS, "gb18030")
    tally = ingest_rows(registry, reader(path), batch_size=2)
    assert (tally.read, tally.created, tally.replayed, tally.rejected) == (5, 4, 0, 1)
    assert tally.accounted and tally.new_customers == 3 and tally.joined == 0
    assert [(r.row, r.column) for r in tally.rejections] == [(6, "留资时间")]
    [flag] = tally.warnings
    assert (flag.row, flag.kind) == (5, "mobile") and "11" in flag.reason and "1381234" not in flag.masked
    assert active_customers(registry.engine) == 3  # DY-1 and DY-2 are one person
    with registry.engine.connect() as conn:
        owners = dict(conn.execute(sa.select(leads.c.source_message_id, leads.c.customer_id)).all())
        stored = conn.execute(sa.select(sa.func.count()).select_from(identifiers)).scalar()
    assert owners["DY-1"] == owners["DY-2"] != owners["DY-3"]
    assert stored == 5  # the invalid mobile is kept, with its reason

    again = ingest_rows(registry, reader(path), batch_size=3)
    assert (again.read, again.created, again.replayed, again.rejected) == (5, 0, 4, 1)
    assert active_customers(registry.engine) == 3


def test_joined_existing_duplicate_rows_and_replay_conflicts(registry, tmp_path):
    first = write_csv(tmp_path / "one.csv", DOUYIN_HEADER, DOUYIN_ROWS[:1])
    ingest_rows(registry, reader(first))
    rows = [["DY-1", "李敏", "13812345678", ID_LI, "2026-11-19 10:00:00", "改了"], DOUYIN_ROWS[2], DOUYIN_ROWS[2]]
    rows.append(["DY-9", "李敏", "13812345678", "", "2026-11-19 18:00:00", "杭州"])
    tally = ingest_rows(registry, reader(write_csv(tmp_path / "two.csv", DOUYIN_HEADER, rows)), batch_size=10)
    assert (tally.read, tally.created, tally.replayed, tally.rejected) == (4, 2, 1, 1)  # DY-3 twice: one replay
    [conflict] = tally.rejections
    assert conflict.row == 2 and conflict.column == "线索ID" and conflict.reason.startswith("replay conflict")
    assert (tally.joined, tally.new_customers) == (1, 1)  # DY-9 joined DY-1's customer; DY-3 is new


# --- the command ----------------------------------------------------------------------------------


@pytest.fixture
def run(tmp_path, monkeypatch):
    """Invoke `salesfloor ... import` on an SQLite database in tmp_path; return the result."""
    monkeypatch.setenv("SALESFLOOR_MASTER_KEY", encode_key(TEST_KEY))
    url = f"sqlite+pysqlite:///{tmp_path / 'cli.db'}"

    def invoke(*args: str):
        return CliRunner().invoke(cli, ["--db", url, "--data-dir", str(tmp_path), "import", *args])

    return invoke


def past_rows() -> list[list[str]]:
    """DOUYIN_ROWS dated 2024 so the future check passes whatever the machine's date."""
    return [[c.replace("2026-11-19", "2024-05-01").replace("2026/11/19", "2024/05/01") for c in r] for r in DOUYIN_ROWS]


def test_cli_imports_reports_and_never_prints_a_phone(run, tmp_path):
    path = write_csv(tmp_path / "dy.csv", DOUYIN_HEADER, past_rows(), "gb18030")
    result = run(str(path), "--source", "douyin", "--batch", "2", "--rejects", str(tmp_path / "rej.csv"))
    assert result.exit_code == 0, result.output
    text = result.stdout + result.stderr
    assert "rows read                             5" in text and "leads created                         4" in text
    assert "rows rejected                         1" in text and "all 5 rows accounted for" in text
    assert "day is out of range for month" in text
    assert not MOBILE_RE.search(text) and ID_LI not in text
    report = (tmp_path / "rej.csv").read_text(encoding="utf-8-sig")
    assert not MOBILE_RE.search(report) and "钱七" not in report
    lines = list(csv.reader(io.StringIO(report)))
    assert lines[0][:4] == ["row", "outcome", "column", "reason"]
    assert [r[:3] for r in lines[1:]] == [
        ["5", "imported, identifier flagged", "手机号"],
        ["6", "rejected", "留资时间"],
    ]

    again = run(str(path), "--source", "douyin")
    assert again.exit_code == 0 and "replays (already imported)            4" in again.stdout
    assert not MOBILE_RE.search(again.stdout + again.stderr)


def test_cli_custom_mapping_and_xlsx(run, tmp_path):
    mapping = tmp_path / "partner.toml"
    mapping.write_text(
        '[fixed]\nchannel = "小红书"\n[columns]\noccurred_at = "提交日期"\nname = "称呼"\n'
        '[identifiers]\nmobile = ["客户手机", "备用手机"]\n',
        encoding="utf-8",
    )
    book = openpyxl.Workbook()
    book.active.append(["称呼", "客户手机", "备用手机", "提交日期"])
    book.active.append(["李敏", "13812345678", "13812345679", datetime(2024, 5, 1, 9, 0)])
    book.active.append(["李敏", "13812345679", None, datetime(2024, 5, 2, 9, 0)])
    book.save(tmp_path / "p.xlsx")
    result = run(str(tmp_path / "p.xlsx"), "--source", "partner_xhs", "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    assert "as new customers                    1" in result.stdout  # both rows share a mobile
    assert "merged into existing ones           0" in result.stdout
    assert not MOBILE_RE.search(result.stdout + result.stderr)


def test_cli_wrong_file_or_mapping_exits_2_with_a_clear_message(run, tmp_path):
    missing = run(str(tmp_path / "nope.csv"), "--source", "douyin")
    assert missing.exit_code == 2 and "file not found" in missing.stderr
    path = write_csv(tmp_path / "dy.csv", DOUYIN_HEADER, past_rows())
    unknown = run(str(path), "--source", "weibo")
    assert unknown.exit_code == 2 and "unknown source 'weibo'" in unknown.stderr and "walk_in" in unknown.stderr
    (tmp_path / "bad.toml").write_text('[fixed]\nchannel = "douyin"\n[identifiers]\nphone = "手机号"\n')
    bad = run(str(path), "--source", "douyin", "--mapping", str(tmp_path / "bad.toml"))
    assert bad.exit_code == 2 and "identifiers.phone" in bad.stderr
    no_time = write_csv(tmp_path / "nt.csv", ["姓名", "手机号"], [["李敏", "13812345678"]])
    wrong = run(str(no_time), "--source", "douyin")
    assert wrong.exit_code == 2 and "no time column" in wrong.stderr
    assert not MOBILE_RE.search(wrong.stdout + wrong.stderr)
