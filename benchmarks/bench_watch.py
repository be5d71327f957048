"""Benchmark: watch mode's inner loop, save -> first answer from the new code, against a full push of the same change.

    python benchmarks/bench_watch.py [--rounds 10]      (or: make bench)

A private local cloud (free port, state under $BENCH_TMP) holds a temporary project with the tutorial's CRUD
function and its table (ensure_crud_function), pushed. Each round gives src/index.py a visible change (a response
header; two versions alternate) and invokes the function (GET /beer, as API Gateway sends it) until the new header
answers. Watch: `start_watch(project)` deploys the saved code by itself; the round ends when the new code answers
and the watch has recorded the deploy. Peer, in the same run: `push(project)` right after the save (what a user
runs without watch mode). Medians of --rounds; ratio: push / watch. Afterwards status must say No Change.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shared import free_port, print_rows

from amplify_nb.local import LocalCloud, LocalSettings  # noqa: E402
from amplify_nb.local.settings import PORT_ENV, STATE_DIR_ENV  # noqa: E402

ENV, FUNCTION, STORAGE = "dev", "beerfn", "beer"
LIST_EVENT = json.dumps({"httpMethod": "GET", "resource": "/beer", "path": "/beer", "pathParameters": None}).encode()
GIVE_UP_SECONDS = 120


def answered_version(lambda_client: Any, function_name: str) -> str | None:
    answer = lambda_client.invoke(FunctionName=function_name, Payload=LIST_EVENT)
    payload = json.loads(answer["Payload"].read())
    if "FunctionError" in answer or payload.get("statusCode") != 200:
        raise SystemExit(f"GET /beer failed: {payload}")
    return payload["headers"].get("X-Bench-Version")


def save_version(source: Path, original: str, version: str) -> None:
    source.write_text(original.replace("CORS_HEADERS = {", f'CORS_HEADERS = {{"X-Bench-Version": "{version}",', 1))


def rounds_to_answer(source: Path, original: str, lambda_client: Any, function_name: str, rounds: int, tag: str,
                     after_save: Callable[[], None], deployed_at: Callable[[int], float]) -> list[tuple[float, float]]:
    """Per round: seconds from the save to the code being deployed, and to the first answer from the new code."""
    timings = []
    for number in range(rounds):
        version = f"{tag}{number % 2}"
        save_version(source, original, version)
        saved = time.time()
        after_save()
        while answered_version(lambda_client, function_name) != version:
            if time.time() - saved > GIVE_UP_SECONDS:
                raise SystemExit(f"{tag}: the function still answers the old code {GIVE_UP_SECONDS} s after the save")
        answered = time.time()
        timings.append((deployed_at(number + 1) - saved, answered - saved))
    return timings


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + GIVE_UP_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting: {what}")
        time.sleep(0.01)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--runs", type=int, default=None, help="accepted for `make bench` BENCH_ARGS; unused")
    parser.add_argument("--quick", action="store_true", help="4 rounds")
    args = parser.parse_args(argv)
    rounds = 4 if args.quick else args.rounds

    work = Path(tempfile.mkdtemp(prefix="bench-watch-", dir=os.environ.get("BENCH_TMP") or None))
    cloud = LocalCloud(LocalSettings(port=free_port(), state_dir=work / "local-cloud"))
    os.environ[PORT_ENV], os.environ[STATE_DIR_ENV] = str(cloud.settings.port), str(cloud.settings.state_dir)
    try:
        cloud.start()
        from amplify_nb.notebook import ensure_crud_function
        from amplify_nb.project import push, resource_status
        from amplify_nb.project.logs import read_log_lines
        from amplify_nb.project.watch import start_watch

        project = ensure_crud_function(work / "watchapp", ENV, "local", FUNCTION, STORAGE)
        lambda_client = project.target().client("lambda")
        function_name = f"{FUNCTION}-{ENV}"
        source = project.paths.resource_dir("function", FUNCTION) / "src" / "index.py"
        original = source.read_text()
        if "CORS_HEADERS = {" not in original:
            raise SystemExit(f"{source} has no CORS_HEADERS to mark versions with")
        answered_version(lambda_client, function_name)  # a warm worker, as during editing
        began_ms = int(time.time() * 1000)

        try:
            watch = start_watch(project)
            failures = lambda: [event.text() for event in watch.events if event.kind == "error"]  # noqa: E731

            def watch_deployed(count: int) -> float:
                """When the watch recorded its count-th deploy (it may still be recording when the answer comes)."""
                deploys = lambda: [event for event in watch.events if event.kind == "deployed"]  # noqa: E731
                wait_until(lambda: len(deploys()) >= count or failures(), "the watch to record its deploy")
                if failures():
                    raise SystemExit("the watch failed: " + "\n".join(failures()))
                return deploys()[count - 1].time.timestamp()

            try:
                watched = rounds_to_answer(source, original, lambda_client, function_name, rounds, "w",
                                           after_save=lambda: None, deployed_at=watch_deployed)
            finally:
                watch.stop()
            pending = [row for row in resource_status(project) if row.operation != "No Change"]
            if pending:
                raise SystemExit(f"after the watch, status is not No Change: {pending}")

            pushed_at: list[float] = []
            pushed = rounds_to_answer(
                source, original, lambda_client, function_name, rounds, "p",
                after_save=lambda: (push(project, progress=False), pushed_at.append(time.time())),
                deployed_at=lambda count: pushed_at[count - 1])
        finally:
            source.write_text(original)

        def medians(timings: list[tuple[float, float]]) -> tuple[float, float, float]:
            deploys, answers = [deploy for deploy, _ in timings], [answer for _, answer in timings]
            return statistics.median(deploys), statistics.median(answers), max(answers)

        watch_deploy, watch_answer, watch_slowest = medians(watched)
        push_deploy, push_answer, push_slowest = medians(pushed)
        print_rows(f"Save src/index.py -> the new code, median of {rounds} rounds on the local cloud (invoked as "
                   "GET /beer until the new code answers; ratio: push / watch)",
                   ("way", "save -> deployed", "ratio", "save -> first new answer", "ratio", "slowest answer"),
                   [("watch mode (start_watch)", f"{watch_deploy:.3f} s", "1.00x", f"{watch_answer:.3f} s", "1.00x",
                     f"{watch_slowest:.3f} s"),
                    ("push after the save (the peer)", f"{push_deploy:.3f} s", f"{push_deploy / watch_deploy:.2f}x",
                     f"{push_answer:.3f} s", f"{push_answer / watch_answer:.2f}x", f"{push_slowest:.3f} s")])
        init = [float(found) for line in read_log_lines(project, FUNCTION, began_ms)
                for found in re.findall(r"Init Duration: ([0-9.]+) ms", line.message)]
        print(f"  deployed -> first new answer is mostly the new code's cold start, the same for both ways: a fresh "
              f"worker starts and imports the handler (Init Duration in REPORT: median "
              f"{statistics.median(init) / 1000 if init else float('nan'):.3f} s over {len(init)} cold starts).")
    finally:
        cloud.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
