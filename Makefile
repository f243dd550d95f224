# salesfloor — the two commands that matter: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export QT_QPA_PLATFORM ?= offscreen

.PHONY: run test lint bench bench-full venv clean translations screenshots

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

## The whole office on this machine (embedded SQLite): hub, simulated channels, reception, two
## consultants, the manager and the lobby wall; closing the control window stops everything.
run: venv
	$(if $(filter file,$(origin QT_QPA_PLATFORM)),env -u QT_QPA_PLATFORM) $(BIN)/salesfloor office

## Lint, import contracts, then the whole test suite (SQLite and PostgreSQL).
test: venv lint
	$(BIN)/python -m pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/lint-imports

## Benchmarks (quick sizes); `make bench-full` runs the full 1M-lead sizes.
bench: venv
	$(BIN)/python -m bench identity --quick

bench-full: venv
	$(BIN)/python -m bench identity

## Extract UI strings, fill Simplified Chinese, compile the .qm (fails on a missing translation).
translations: venv
	$(BIN)/python -m resources.i18n.build

## A PNG of every desk screen in zh_CN (needs fonts-noto-cjk for the glyphs).
screenshots: venv
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m app.screenshots screenshots zh_CN

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info build dist

## The desktop app and the hub as one folder, dist/salesfloor/ (PyInstaller; build on the OS you ship to).
.PHONY: package
package: venv
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller \
		packaging/salesfloor.spec
	dist/salesfloor/salesfloor --version
