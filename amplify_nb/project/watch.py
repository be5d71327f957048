"""Watch mode (`amplify-nb push --watch`, `start_watch(project)` in a notebook): the inner loop of editing a function.

A saved change under a pushed function's src/ is built (the same content-hashed zip push makes) and uploaded as
the function's code alone: update_function_code, then a wait until Lambda reports LastUpdateStatus Successful
(real Lambda applies code asynchronously). Then the push record is brought up to date for that function only:
its src/ in #current-cloud-backend/ and lastPushDirHash / lastPushTimeStamp in amplify-meta.json, so status says
No Change for it, as after a push. A change to anything else (answers, backend-config, an unpushed function)
deploys nothing: it prints what `amplify-nb push` would do.

File events come from watchfiles (the operating system's notifications; it groups the several events one editor
save makes: it yields once no new event came for `step` ms). A file that does not compile is reported with
Python's message and nothing is deployed; every failure is an event, and watching goes on.
"""
from __future__ import annotations

import shutil
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..categories import load_categories
from ..deploy import Executor, Plan
from ..deploy.plan import APICall, Wait
from ..deploy.rules.awslambda import PROPAGATION_RETRY, Function
from ..errors import AmplifyNbError
from ..fileio import atomic_write_json, read_json, swapped_tree
from ..functions.build import SKIPPED_DIRS, BuildError
from .env_records import check_record_belongs, save_record
from .project import Project
from .push import deploy_context, show_plan
from .status import IGNORED_DIRS, folder_hash, resource_status

GROUP_STEP_MS = 50  # a save's events are grouped until none came for this long
GROUP_MAX_MS = 1600  # ... or for at most this long
READY_TIMEOUT_SECONDS = 30
BACKEND_OUTPUTS = {"amplify-meta.json"}  # written by push itself: never a change to deploy


@dataclass(frozen=True)
class WatchEvent:
    """One thing the watch did: started, deployed a function's code, showed a plan, failed, stopped."""

    kind: str  # watching | deployed | unchanged | plan | error | stopped
    subject: str  # "function beerfn", or the files that changed
    message: str
    seconds: float | None = None
    time: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    def text(self) -> str:
        took = f" ({self.seconds:.2f} s)" if self.seconds is not None else ""
        return f"[{self.time.astimezone():%H:%M:%S}] {self.subject}: {self.message}{took}"


@dataclass(frozen=True)
class BackendChanges:
    """Saved files, sorted into the pushed functions whose src/ changed and everything else."""

    functions: tuple[str, ...]
    other_files: tuple[str, ...]  # relative to amplify/backend

    def __bool__(self) -> bool:
        return bool(self.functions or self.other_files)


@dataclass(frozen=True)
class CodeDeploy:
    function: str
    deployed_name: str
    code_sha256: str
    uploaded: bool  # False: the cloud already ran this exact zip


def is_watched(backend: Path, path: Path) -> bool:
    """Source files only: not build output, caches, dot-files (editor swap files, .temp) or push's own outputs."""
    try:
        parts = Path(path).relative_to(backend).parts
    except ValueError:
        return False
    if not parts or parts == ("amplify-meta.json",):
        return False
    return not any(part.startswith(".") or part.endswith("~") or part in IGNORED_DIRS | SKIPPED_DIRS for part in parts)


def sort_changes(project: Project, paths: Iterable[Path | str]) -> BackendChanges:
    """A function's src/ counts as code to deploy only while the function is both pushed and still wanted (a
    removed function's deleted files, like a new function's, are for push)."""
    wanted, pushed = project.backend_config().get("function", {}), project.backend_config(current=True).get("function", {})
    functions, others = set(), set()
    backend = project.paths.backend
    for path in paths:
        if not is_watched(backend, Path(path)):
            continue
        parts = Path(path).relative_to(backend).parts
        if len(parts) > 3 and parts[0] == "function" and parts[2] == "src" and parts[1] in pushed and parts[1] in wanted:
            functions.add(parts[1])
        else:
            others.add(Path(*parts).as_posix())
    return BackendChanges(tuple(sorted(functions)), tuple(sorted(others)))


def python_syntax_errors(src: Path) -> list[str]:
    """Python's own message for each .py file under src/ that does not compile (Lambda would fail to import it)."""
    errors = []
    for path in sorted(Path(src).rglob("*.py")):
        relative = path.relative_to(src)
        if any(part in SKIPPED_DIRS for part in relative.parts):
            continue
        try:
            compile(path.read_bytes(), f"src/{relative.as_posix()}", "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            errors.append("".join(traceback.format_exception_only(type(exc), exc)).rstrip())
    return errors


def deploy_function_code(project: Project, name: str) -> CodeDeploy:
    """Build a pushed function's src/ and make it the function's code in the cloud, then record it as pushed."""
    with project.lock():
        ctx = deploy_context(project)
        check_record_belongs(project, ctx.env)
        entry = project.backend_config().get("function", {}).get(name)
        if entry is None or name not in project.backend_config(current=True).get("function", {}):
            raise AmplifyNbError(f"Function {name} is not pushed yet: run `amplify-nb push` once first.")
        src = project.paths.resource_dir("function", name) / "src"
        errors = python_syntax_errors(src)
        if errors:
            raise BuildError("the code does not compile, so nothing was deployed:\n" + "\n".join(errors))
        build = load_categories()["function"].build(ctx, name, entry).build
        function = Function(f"{name}-{ctx.env}", zip_path=str(build.zip_path), code_sha256=build.sha256_b64)
        lambda_client = ctx.target.client("lambda")
        try:
            running = lambda_client.get_function_configuration(FunctionName=function.name)["CodeSha256"]
        except lambda_client.exceptions.ResourceNotFoundException:
            raise AmplifyNbError(f"Function {function.name} is gone from the cloud: run `amplify-nb push` to "
                                 "create it again.") from None
        uploaded = running != build.sha256_b64
        if uploaded:
            Executor(ctx.target, progress=False).run(code_update_plan(function), env=ctx.env)
        record_function_code(project, name)
        if uploaded:
            save_record(project, ctx.env)
        return CodeDeploy(name, function.name, build.sha256_b64, uploaded)


def code_update_plan(function: Function) -> Plan:
    """update_function_code with the built zip, then a wait until Lambda has applied it (real Lambda is async)."""
    return Plan([
        APICall(function.key, "update", "lambda", "update_function_code",
                {"FunctionName": function.name, "ZipFile": function.zip_bytes()}, retry=PROPAGATION_RETRY),
        Wait(function.key, "lambda", "function_updated_v2", {"FunctionName": function.name}, delay=1, max_attempts=300),
    ])


def record_function_code(project: Project, name: str) -> None:
    """The push record of one function after its code alone was deployed: its src/ in #current-cloud-backend/
    (swapped in whole) and its lastPushDirHash / lastPushTimeStamp in both amplify-meta.json files."""
    record = project.paths.current_cloud_backend
    src = project.paths.resource_dir("function", name) / "src"
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    with swapped_tree(record) as staging:
        shutil.copytree(record, staging, dirs_exist_ok=True)
        recorded_src = staging / "function" / name / "src"
        shutil.rmtree(recorded_src, ignore_errors=True)
        shutil.copytree(src, recorded_src, ignore=shutil.ignore_patterns(*IGNORED_DIRS))
        fields = {"lastPushTimeStamp": stamp, "lastPushDirHash": folder_hash(staging / "function" / name)}
        _update_meta(staging / "amplify-meta.json", name, fields)
    _update_meta(project.paths.amplify_meta, name, fields)


def _update_meta(path: Path, name: str, fields: dict) -> None:
    meta = read_json(path, {}) or {}
    if name in meta.get("function", {}):
        meta["function"][name].update(fields)
        atomic_write_json(path, meta)


def push_preview(project: Project, changes: BackendChanges) -> str:
    """What `amplify-nb push` would do now, for changes watch mode does not deploy."""
    pending = [f"{row.category} {row.resource_name}: {row.operation}" for row in resource_status(project)
               if row.operation != "No Change"]
    lines = [show_plan(project).summary()]
    lines.append("Status: " + ("; ".join(pending) if pending else "No Change everywhere") + ".")
    lines.append("Nothing was pushed: run `amplify-nb push` to apply it.")
    return "\n".join(lines)


class Watch:
    """A running watch of amplify/backend (a background thread); `stop()` ends it. Displayed in a notebook, it
    is a small live table of what it did."""

    def __init__(self, project: Project, on_event: Callable[[WatchEvent], None] | None = None,
                 force_polling: bool | None = None):
        self.project = project
        self.on_event = on_event
        self.force_polling = force_polling
        self.events: list[WatchEvent] = []
        self.state = "starting"  # starting | watching | deploying | stopped | failed
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._widget = None

    # --- life cycle ------------------------------------------------------------------------------------------
    def start(self) -> "Watch":
        self.project.paths.backend.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self._run, name="amplify-nb-watch", daemon=True)
        self._thread.start()
        if not self._ready.wait(READY_TIMEOUT_SECONDS):
            self.stop()
            raise AmplifyNbError(f"Watching {self.project.paths.backend} did not start within "
                                 f"{READY_TIMEOUT_SECONDS} s.")
        return self

    def stop(self) -> None:
        """Stop watching; a deploy under way finishes first (its record is written)."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        if self.state != "stopped":
            self.state = "stopped"
            self._emit("stopped", "watch", "stopped watching")

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> "Watch":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- the loop -------------------------------------------------------------------------------------------
    def _run(self) -> None:
        from watchfiles import watch

        backend = self.project.paths.backend
        try:
            for changes in watch(backend, watch_filter=lambda _change, path: is_watched(backend, Path(path)),
                                 step=GROUP_STEP_MS, debounce=GROUP_MAX_MS, stop_event=self._stop,
                                 rust_timeout=500, yield_on_timeout=True, raise_interrupt=False,
                                 force_polling=self.force_polling):
                if not self._ready.is_set():
                    self.state = "watching"
                    self._ready.set()
                    self._emit("watching", "watch", f"watching {backend} (env {self.project.env_name}): a saved "
                               "change under a function's src/ is deployed as code only; other changes show what "
                               "a push would do")
                if changes and not self._stop.is_set():
                    self.handle(sort_changes(self.project, (path for _change, path in changes)))
        except Exception as exc:  # the watcher itself broke (the folder was removed): say so, end
            self.state = "failed"
            self._emit("error", "watch", f"watching stopped: {type(exc).__name__}: {exc}")
            self._ready.set()

    def handle(self, changes: BackendChanges) -> None:
        """Deploy the code of each changed function, then show the plan for anything else; never raise."""
        if not changes:
            return
        self.state = "deploying"
        try:
            for name in changes.functions:
                started = time.perf_counter()
                try:
                    done = deploy_function_code(self.project, name)
                except Exception as exc:  # noqa: BLE001 - a broken build or a cloud error: report, keep watching
                    self._emit("error", f"function {name}", _failure(exc), time.perf_counter() - started)
                    continue
                if done.uploaded:
                    self._emit("deployed", f"function {name}", f"src/ changed: deployed the new code to "
                               f"{done.deployed_name} (CodeSha256 {done.code_sha256[:12]}…)",
                               time.perf_counter() - started)
                else:
                    self._emit("unchanged", f"function {name}", f"{done.deployed_name} already runs this code")
            if changes.other_files:
                started = time.perf_counter()
                subject = ", ".join(changes.other_files[:3]) + (" …" if len(changes.other_files) > 3 else "")
                try:
                    self._emit("plan", subject, "changed; a push would do this:\n" + push_preview(self.project, changes),
                               time.perf_counter() - started)
                except Exception as exc:  # noqa: BLE001 - an unreadable answers file: report, keep watching
                    self._emit("error", subject, _failure(exc), time.perf_counter() - started)
        finally:
            if not self._stop.is_set():
                self.state = "watching"

    def _emit(self, kind: str, subject: str, message: str, seconds: float | None = None) -> None:
        event = WatchEvent(kind, subject, message, seconds)
        self.events.append(event)
        if self.on_event is not None:
            self.on_event(event)
        if self._widget is not None:
            self._widget.value = self._repr_html_()

    # --- display --------------------------------------------------------------------------------------------
    def table(self, last: int = 20):
        import pandas as pd

        rows = [(event.time.astimezone().strftime("%H:%M:%S"), event.kind, event.subject, event.message,
                 None if event.seconds is None else round(event.seconds, 2)) for event in self.events[-last:]]
        return pd.DataFrame(rows, columns=["time", "event", "what", "result", "seconds"])

    def _repr_html_(self) -> str:
        table = self.table().to_html(index=False, escape=True)
        return (f"<div><b>Watch of {self.project.root.name} ({self.project.env_name}): {self.state}</b>"
                f"<div style='white-space: pre-wrap'>{table}</div></div>")

    def _ipython_display_(self) -> None:
        import ipywidgets
        from IPython.display import display

        if self._widget is None:
            self._widget = ipywidgets.HTML()
        self._widget.value = self._repr_html_()
        display(self._widget)

    def __repr__(self) -> str:
        return f"<Watch {self.project.root} ({self.state}, {len(self.events)} events)>"


def start_watch(project: Project, on_event: Callable[[WatchEvent], None] | None = None,
                force_polling: bool | None = None) -> Watch:
    """Start watching the project's backend; returns once saves are being seen. `watch.stop()` ends it."""
    return Watch(project, on_event, force_polling).start()


def _failure(exc: BaseException) -> str:
    if isinstance(exc, AmplifyNbError):
        return f"failed: {exc}"
    return f"failed: {type(exc).__name__}: {exc}"
