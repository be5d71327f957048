"""Benchmark: publishing 500 files to the local cloud, amplify-nb against `aws s3 sync` (awscli), in one run.

    python benchmarks/bench_publish.py [--files 500] [--runs 3]      (or: make bench)

Both tools upload the same folder (500 files, ~5 MB of .html/.js/.css/.json) to two buckets of the same local
cloud, started privately for the run (free port, temporary state dir) and stopped at the end. Each run times:
  1. the first upload into an empty bucket;
  2. the re-publish after one file changed (aws s3 sync --delete compares sizes and times, amplify-nb hashes).
amplify-nb is timed twice: `amplify-nb publish --yes` as a command (like `aws s3 sync`, it pays its start-up;
the project's BuildCommand is a no-op here so only the push check and the upload are timed) and publish() called
in a running Python kernel, as notebook 02 does. Medians of the runs are printed, with ratios against awscli
(> 1 means amplify-nb is faster) and the number of objects each tool uploaded.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import shutil
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from amplify_nb.local import LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY, LocalCloud, LocalSettings  # noqa: E402
from amplify_nb.local.settings import PORT_ENV, STATE_DIR_ENV  # noqa: E402

EXTENSIONS = (".html", ".js", ".css", ".json")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_site(folder: Path, count: int, size: int = 10_000, seed: int = 7) -> list[Path]:
    """count files of ~size bytes in a few folders, index.html at the root."""
    rng = random.Random(seed)
    shutil.rmtree(folder, ignore_errors=True)
    paths = [folder / "index.html"]
    paths += [folder / f"assets/part{i % 10}/file{i:04d}{EXTENSIONS[i % len(EXTENSIONS)]}" for i in range(1, count)]
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(rng.choices(string.ascii_letters + string.digits + " \n", k=size)))
    return paths


def empty_bucket(s3, bucket: str) -> None:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})


def aws_s3_sync(folder: Path, bucket: str, endpoint: str) -> tuple[float, int]:
    environment = {**os.environ, "AWS_ACCESS_KEY_ID": LOCAL_ACCESS_KEY_ID, "AWS_SECRET_ACCESS_KEY": LOCAL_SECRET_ACCESS_KEY,
                   "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": os.devnull,
                   "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "NO_PROXY": "127.0.0.1,localhost"}
    environment.pop("AWS_PROFILE", None)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "awscli", "s3", "sync", str(folder), f"s3://{bucket}", "--delete",
                           "--no-progress", "--endpoint-url", endpoint], env=environment, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"aws s3 sync failed:\n{done.stderr}")
    return seconds, sum(1 for line in done.stdout.splitlines() if line.startswith("upload:"))


def cli_publish(project_dir: Path) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "amplify_nb.cli", "publish", "--yes", "--project-dir", str(project_dir)],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"amplify-nb publish failed:\n{done.stdout}\n{done.stderr}")
    uploaded = next(int(line.split()[1]) for line in done.stdout.splitlines() if line.strip().startswith("uploaded"))
    return seconds, uploaded


def kernel_publish(project) -> tuple[float, int]:
    from amplify_nb.hosting import publish

    started = time.perf_counter()
    result = publish(project, progress=False, build=False)
    return time.perf_counter() - started, len(result.uploaded)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="bench-publish-", dir=os.environ.get("BENCH_TMP") or None))
    cloud = LocalCloud(LocalSettings(port=free_port(), state_dir=work / "local-cloud"))
    os.environ[PORT_ENV], os.environ[STATE_DIR_ENV] = str(cloud.settings.port), str(cloud.settings.state_dir)
    try:
        cloud.start()
        from amplify_nb.cli import main as cli
        from amplify_nb.project import Project

        project_dir = work / "benchapp"
        project_dir.mkdir()
        bucket_name = f"bench-{uuid.uuid4().hex[:8]}"
        for command in (["init", "--yes"], ["add", "hosting", "--yes", "--bucket-name", bucket_name], ["push", "--yes"]):
            with contextlib.redirect_stdout(io.StringIO()) as said:
                code = cli([*command, "--project-dir", str(project_dir)])
            if code != 0:
                raise SystemExit(f"amplify-nb {' '.join(command)} failed:\n{said.getvalue()}")
        project = Project.open(project_dir)
        config = project.project_config
        config["javascript"]["config"]["BuildCommand"] = "true"  # the folder is written by this benchmark
        project.write_json(project.paths.project_config, config)
        ours = f"{bucket_name}-dev"
        s3 = project.target().client("s3")
        theirs = f"bench-aws-{uuid.uuid4().hex[:8]}"
        s3.create_bucket(Bucket=theirs)
        folder = project.root / project.frontend_config["DistributionDir"]

        timings: dict[str, dict[str, list]] = {name: {"first": [], "first_n": [], "one": [], "one_n": []}
                                               for name in ("aws s3 sync", "amplify-nb publish (CLI)", "publish() in a kernel")}
        runners = {
            "aws s3 sync": lambda: aws_s3_sync(folder, theirs, cloud.endpoint),
            "amplify-nb publish (CLI)": lambda: cli_publish(project_dir),
            "publish() in a kernel": lambda: kernel_publish(project),
        }
        buckets = {"aws s3 sync": theirs, "amplify-nb publish (CLI)": ours, "publish() in a kernel": ours}
        total_bytes = 0
        for run in range(args.runs):
            order = list(runners)
            order = order[run % len(order):] + order[:run % len(order)]  # no tool always goes first
            for name in order:
                paths = write_site(folder, args.files, seed=run)
                total_bytes = sum(p.stat().st_size for p in paths)
                empty_bucket(s3, buckets[name])
                seconds, uploaded = runners[name]()
                timings[name]["first"].append(seconds)
                timings[name]["first_n"].append(uploaded)
                time.sleep(1.1)  # a later modification time, so aws s3 sync can see the change
                changed = paths[len(paths) // 2]
                changed.write_text(changed.read_text() + "\n/* changed */\n")
                seconds, uploaded = runners[name]()
                timings[name]["one"].append(seconds)
                timings[name]["one_n"].append(uploaded)
            print(f"run {run + 1}/{args.runs} done", file=sys.stderr)

        print_table(timings, args.files, total_bytes, args.runs)
    finally:
        cloud.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


def print_table(timings: dict, files: int, total_bytes: int, runs: int) -> None:
    base = timings["aws s3 sync"]
    base_first, base_one = statistics.median(base["first"]), statistics.median(base["one"])
    print(f"\nPublishing {files} files ({total_bytes / 1e6:.1f} MB) to the same local cloud, median of {runs} run(s)")
    print("(ratio = aws s3 sync time / this tool's time: above 1 means faster than awscli)\n")
    header = f"{'tool':<26}{'first upload':>14}{'uploaded':>10}{'ratio':>8}   {'1 file changed':>15}{'uploaded':>10}{'ratio':>8}"
    print(header)
    print("-" * len(header))
    for name, times in timings.items():
        first, one = statistics.median(times["first"]), statistics.median(times["one"])
        print(f"{name:<26}{first:>12.2f} s{int(statistics.median(times['first_n'])):>10}{base_first / first:>7.2f}x"
              f"   {one:>13.2f} s{int(statistics.median(times['one_n'])):>10}{base_one / one:>7.2f}x")


if __name__ == "__main__":
    sys.exit(main())
