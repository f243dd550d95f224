"""`python -m bench NAME [--quick]`: run a benchmark and print one JSON object per result line."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from bench.common import progress

# Each name is a module `bench.<name>` with `run(quick) -> Iterator[dict]`; imported only when chosen.
BENCHMARKS = ("identity", "hub", "client", "wall", "reports", "tags")


def runner(name: str) -> Callable[[bool], Iterator[dict[str, Any]]]:
    """The `run` function of benchmark module `bench.<name>`."""
    return importlib.import_module(f"bench.{name}").run


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the named benchmark, print its results; with --strict exit 1 on a missed target."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("name", choices=sorted(BENCHMARKS), help="which benchmark to run")
    parser.add_argument("--quick", action="store_true", help="small sizes (under a minute on 2 cores)")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a target is missed")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    missed = []
    for result in runner(args.name)(args.quick):
        print(json.dumps(result, ensure_ascii=False), flush=True)
        if result.get("ok") is False or result.get("value") is False:
            missed.append(result["name"])
    progress(
        f"{args.name}: done in {time.perf_counter() - started:.1f} s"
        + (f"; missed: {', '.join(missed)}" if missed else "")
    )
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
