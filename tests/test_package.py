"""The shipped bundle: PyInstaller builds `salesfloor/` from packaging/salesfloor.spec, and the built
executable answers --version, opens the desk and the wall offscreen, migrates and uses SQLite and
PostgreSQL, runs the hub (aiohttp webhooks, websockets sync) and imports XLSX leads and transcripts.

The bundle is built once per run into build/package-test/<hash of the sources, the spec and the
installed packages>/ and reused by later runs while none of them changed (about two minutes on two
cores; a reused bundle costs nothing). Builds of other hashes are removed once nobody uses them.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtWidgets import QWidget
from websockets.sync.client import connect

import app
import app.desk
from app.desk import SMOKE_ENV, FirstPaint, run_desk
from app.wall import run_wall
from sync.protocol import PROTOCOL_VERSION
from tests.conftest import IN_CI, TEST_KEY

try:
    import fcntl
except ImportError:  # Windows: builds are not shared between concurrent runs there
    fcntl = None

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "salesfloor.spec"
BUILDS = ROOT / "build" / "package-test"
SOURCES = ("app", "views", "sync", "models", "resources", "packaging")
LISTENING = re.compile(r"websocket ws://127\.0\.0\.1:(\d+)/\s+http http://127\.0\.0\.1:(\d+)")
EXE_NAME = "salesfloor.exe" if sys.platform == "win32" else "salesfloor"


def source_key() -> str:
    """Hash of everything the bundle is made of: our files, the Python and every installed package."""
    digest = hashlib.sha256(sys.version.encode())
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    digest.update((ROOT / "pyproject.toml").read_bytes())
    installed = sorted(f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions())
    digest.update("\n".join(installed).encode())
    return digest.hexdigest()[:16]


def lock(path: Path, exclusive: bool, wait: bool = True):
    """An open file holding a shared or exclusive flock on `path`, or None if `wait` is off and it is taken."""
    handle = path.open("a+")
    if fcntl is not None:
        flags = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | (0 if wait else fcntl.LOCK_NB)
        try:
            fcntl.flock(handle, flags)
        except BlockingIOError:
            handle.close()
            return None
    return handle


def build(here: Path) -> None:
    """Run PyInstaller on the spec into `here` (dist/ and work/), failing the test with its output."""
    started = time.monotonic()
    log = here / "pyinstaller.log"
    with log.open("w") as out:
        done = subprocess.run(
            [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
             "--distpath", str(here / "dist"), "--workpath", str(here / "work"), str(SPEC)],
            cwd=here, stdout=out, stderr=subprocess.STDOUT, timeout=1200,
        )  # fmt: skip
    if done.returncode != 0:
        pytest.fail(f"PyInstaller failed ({done.returncode}):\n" + log.read_text()[-4000:])
    shutil.rmtree(here / "work", ignore_errors=True)  # 100 MB of intermediate files
    (here / "built").write_text(f"{time.monotonic() - started:.0f} s\n")


def remove_unused_builds(keep: Path) -> None:
    """Delete builds of other hashes that no test session uses (each user holds its `.use` shared)."""
    for other in BUILDS.iterdir():
        if other == keep or not (other / ".use").exists():
            continue
        unused = lock(other / ".use", exclusive=True, wait=False)
        if unused is not None:
            shutil.rmtree(other, ignore_errors=True)
            unused.close()


@pytest.fixture(scope="session")
def bundle() -> Iterator[Path]:
    """The built one-folder bundle's executable (built now, or reused from an identical earlier build)."""
    if importlib.util.find_spec("PyInstaller") is None:
        message = "PyInstaller is not installed (pip install -e '.[dev]')"
        pytest.fail(message) if IN_CI else pytest.skip(message)
    here = BUILDS / source_key()
    BUILDS.mkdir(parents=True, exist_ok=True)
    with lock(BUILDS / ".lock", exclusive=True):  # claiming a build and clearing old ones do not interleave
        here.mkdir(exist_ok=True)
        using = lock(here / ".use", exclusive=False)
        remove_unused_builds(here)
    try:
        with lock(here / ".build", exclusive=True):  # a concurrent run of the same sources waits for its build
            if not (here / "built").exists():
                build(here)
        yield here / "dist" / "salesfloor" / EXE_NAME
    finally:
        using.close()


def bundle_env(**extra: str) -> dict[str, str]:
    """The environment of a bundle run: offscreen, no keyring, no configuration from this machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SALESFLOOR_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",  # any keyring use would fail loudly
        SALESFLOOR_MASTER_KEY=base64.urlsafe_b64encode(TEST_KEY).decode(),
    )
    env.update(extra)
    return env


def run(exe: Path, *args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """Run the bundled `salesfloor` outside the source tree and return what it printed."""
    return subprocess.run(
        [str(exe), *args], cwd=cwd, env=bundle_env(**env), capture_output=True, text=True, timeout=120
    )


# --- the smoke hook, in this process ---------------------------------------------------------------


@pytest.fixture
def qapp_names(qapp):
    """run_desk/run_wall name the application; give later tests back the names they had."""
    names = qapp.applicationName(), qapp.organizationName()
    yield qapp
    qapp.setApplicationName(names[0])
    qapp.setOrganizationName(names[1])


@pytest.mark.parametrize(("opener", "title"), [(run_desk, "salesfloor desk"), (run_wall, "Lobby wall")])
def test_smoke_run_shows_the_main_window_offline(qapp_names, tmp_path, monkeypatch, capsys, opener, title):
    """No hub, no keyring (any keyring call would fail): the window paints, the line is printed, it closes."""
    monkeypatch.setenv(SMOKE_ENV, "1")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    assert opener(tmp_path, None, "en") == 0
    assert capsys.readouterr().out == f"window shown: {title}\n"
    assert not [w for w in qapp_names.topLevelWidgets() if w.isVisible() and w.windowTitle() == title]  # closed


def test_a_window_that_never_paints_fails_the_smoke_run_instead_of_hanging(qapp, monkeypatch, capsys):
    monkeypatch.setattr(app.desk, "SMOKE_TIMEOUT_MS", 50)
    hidden = QWidget()
    FirstPaint(qapp, hidden)  # never shown, so never painted
    assert qapp.exec() == 1
    assert capsys.readouterr().out == "window not shown\n"


def test_without_the_smoke_variable_the_desk_asks_for_a_sign_in(qapp_names, tmp_path, monkeypatch):
    monkeypatch.delenv(SMOKE_ENV, raising=False)
    asked = []
    monkeypatch.setattr(app.desk, "sign_in", lambda settings, hub: asked.append(hub))  # None: the user cancelled
    assert run_desk(tmp_path, "http://hub.example:8766", "en") == 1
    assert asked == ["http://hub.example:8766"]


# --- the built bundle ------------------------------------------------------------------------------


def test_version_answers_the_package_version(bundle, tmp_path):
    done = run(bundle, "--version", cwd=tmp_path)
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"salesfloor, version {version}\n" and version == app.__version__


@pytest.mark.parametrize("command", ["desk", "wall", "hub"])
def test_subcommands_answer_help(bundle, tmp_path, command):
    done = run(bundle, command, "--help", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Usage: salesfloor {command} [OPTIONS]")
    assert "--hub" in done.stdout if command != "hub" else "--ws-port" in done.stdout


@pytest.mark.parametrize(("command", "title"), [("desk", "案场销管台"), ("wall", "案场大屏")])
def test_desk_and_wall_open_their_main_window_in_chinese(bundle, tmp_path, command, title):
    done = run(bundle, "--data-dir", str(tmp_path), command, cwd=tmp_path, SALESFLOOR_SMOKE="1")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"window shown: {title}" in done.stdout.splitlines()  # the .qm was found inside the bundle
    assert "Traceback" not in done.stderr


def test_bundle_holds_the_data_files_qt_plugins_and_modules_it_needs(bundle):
    from PyInstaller.archive.readers import CArchiveReader

    inside = bundle.parent / "_internal"
    for data in ("resources/rules/default.toml", "resources/i18n/salesfloor_zh_CN.qm", "resources/tags/taxonomy.toml",
                 "resources/channels/douyin.toml", "resources/mappings/walk_in.toml",
                 "resources/templates/quick_replies.toml", "resources/alerts/suggestions.toml",
                 "models/migrations/env.py", "models/migrations/script.py.mako"):  # fmt: skip
        assert (inside / data).is_file(), data
    versions = sorted(p.name for p in (ROOT / "models" / "migrations" / "versions").glob("*.py"))
    assert sorted(p.name for p in (inside / "models" / "migrations" / "versions").glob("*.py")) == versions
    assert not list(inside.glob("resources/i18n/*.ts")) and not list(inside.glob("resources/**/*.py"))
    backends = (next(inside.glob("keyring-*.dist-info")) / "entry_points.txt").read_text()  # how keyring finds them
    assert "keyring.backends.SecretService" in backends and "keyring.backends.Windows" in backends

    plugins = {p.relative_to(inside / "PySide6" / "Qt" / "plugins").as_posix() for p in inside.rglob("plugins/*/*")}
    if sys.platform.startswith("linux"):
        for name in ("offscreen", "xcb", "wayland"):
            assert f"platforms/libq{name}.so" in plugins
        assert "platformthemes/libqgtk3.so" not in plugins and not list(inside.glob("libgtk-3*"))

    pyz = CArchiveReader(str(bundle)).open_embedded_archive("PYZ.pyz")
    modules = set(pyz.toc) | {p.relative_to(inside).as_posix().split(".")[0].replace("/", ".")
                              for p in inside.rglob("*") if p.suffix in (".so", ".pyd")}  # fmt: skip
    for name in ("app.desk", "app.wall", "app.cmd_hub", "models.deal_schema", "models.transcript_schema",
                 "sqlalchemy.dialects.sqlite.pysqlite", "sqlalchemy.dialects.postgresql.psycopg",
                 "psycopg_binary.pq", "alembic.ddl.postgresql", "mako.template", "keyring.backends.SecretService",
                 "keyring.backends.Windows", "websockets.asyncio.server", "aiohttp.web", "msgspec._core",
                 "openpyxl", "scipy.stats", "ahocorasick", "pyqtgraph"):  # fmt: skip
        assert name in modules, name
    for name in ("tkinter", "matplotlib", "pytest", "hypothesis", "tests.conftest", "app.screenshots", "PyQt5"):
        assert name not in modules, name
    size = sum(p.stat().st_size for p in bundle.parent.rglob("*") if p.is_file() and not p.is_symlink())
    assert size < 400 * 2**20, f"bundle grew to {size / 2**20:.0f} MB"  # 343 MB on Linux with PySide6 6.11


def test_data_on_sqlite_and_postgresql(bundle, tmp_path, db_url):
    added = run(bundle, "--db", db_url, "hub", "user", "add", "--name", "李娜", "--role", "reception", cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    assert re.search(r"enrollment code \(one use, 7 days\): \S+", added.stdout)
    listed = run(bundle, "--db", db_url, "hub", "user", "list", cwd=tmp_path)
    assert listed.returncode == 0 and "李娜" in listed.stdout and "reception" in listed.stdout


def test_xlsx_leads_and_transcripts_import_into_a_fresh_office(bundle, tmp_path):
    data = ["--data-dir", str(tmp_path / "office")]  # an empty data dir: the bundle runs every migration
    book = openpyxl.Workbook()
    book.active.append(["登记编号", "到访时间", "客户姓名", "手机号"])
    book.active.append(["V1", datetime(2024, 5, 1, 10, 0), "张伟", "13912345678"])
    book.active.append(["V2", datetime(2024, 5, 1, 11, 0), "张伟", "13912345678"])
    book.save(tmp_path / "walk_in.xlsx")
    imported = run(bundle, *data, "import", str(tmp_path / "walk_in.xlsx"), "--source", "walk_in", cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "as new customers                    1" in imported.stdout and "all 2 rows accounted for" in imported.stdout

    consultant = run(bundle, *data, "hub", "user", "add", "--name", "王磊", "--role", "consultant", cwd=tmp_path)
    assert consultant.returncode == 0, consultant.stderr
    call = next((ROOT / "tests" / "data" / "transcripts").glob("王磊_*.txt"))
    tagged = run(bundle, *data, "hub", "transcripts", "import", str(call), cwd=tmp_path)
    assert tagged.returncode == 0, tagged.stderr
    assert "1 call(s) read · 1 created" in tagged.stdout
    assert "13812345678" not in tagged.stdout + tagged.stderr


def test_hub_enrolls_a_desk_and_answers_hello_over_websocket(bundle, tmp_path):
    data = ["--data-dir", str(tmp_path)]
    added = run(bundle, *data, "hub", "user", "add", "--name", "王磊", "--role", "consultant", cwd=tmp_path)
    code = re.search(r"enrollment code \(one use, 7 days\): (\S+)", added.stdout).group(1)
    log = (tmp_path / "hub.log").open("w")
    hub = subprocess.Popen(
        [str(bundle), *data, "hub", "--ws-port", "0", "--http-port", "0"],
        cwd=tmp_path, env=bundle_env(), stdout=subprocess.PIPE, stderr=log, text=True,
    )  # fmt: skip
    try:
        line = hub.stdout.readline()
        ports = LISTENING.search(line)
        assert ports, f"hub did not start: {line!r} {(tmp_path / 'hub.log').read_text()}"
        http = f"http://127.0.0.1:{ports.group(2)}"
        with urllib.request.urlopen(http + "/healthz", timeout=10) as answer:
            assert answer.status == 200
        request = urllib.request.Request(
            http + "/enroll", json.dumps({"code": code, "device": "bundle-test"}).encode(),
            {"Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=10) as answer:
            token = json.loads(answer.read())["token"]
        with connect(
            f"ws://127.0.0.1:{ports.group(1)}/", additional_headers={"Authorization": f"Bearer {token}"},
            compression=None, open_timeout=10,
        ) as ws:  # fmt: skip
            ws.send(json.dumps({"id": 1, "type": "hello", "protocol": PROTOCOL_VERSION, "client_id": "bundle"}))
            hello = json.loads(ws.recv(timeout=10))
            while hello.get("id") != 1:  # pushed messages may come first
                hello = json.loads(ws.recv(timeout=10))
        assert hello["type"] == "result", hello
    finally:
        hub.send_signal(signal.SIGTERM)  # what systemd sends on stop
        with contextlib.suppress(subprocess.TimeoutExpired):
            hub.wait(timeout=15)
        if hub.poll() is None:
            hub.kill()
        log.close()
    assert hub.returncode == 0, (tmp_path / "hub.log").read_text()
