"""amplify-nb: the terminal front-end. It mirrors `amplify`, turns flags / --answers / prompts into specs, and
calls the same actions as the notebooks. Exit codes: 0 ok, 1 the operation failed, 2 bad input or usage."""
from __future__ import annotations

import argparse
import contextlib
import difflib
import json
import os
import re
import signal
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Iterator

import yaml

from . import __version__
from .errors import AmplifyNbError, InputError
from .prompts import Aborted, ask, choose, confirm, interactive, yes_no
from .specs import ConfigureSpec, InitSpec, Spec


# --- asking questions ----------------------------------------------------------------------------------------
def load_answers(path: str | None) -> dict:
    if not path:
        return {}
    try:
        data = yaml.safe_load(Path(path).read_text())  # YAML is a superset of JSON: one loader for both
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"Cannot read answers file {path}: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"Answers file {path} must hold a mapping of answer names to values.")
    return {str(name).replace("-", "_"): value for name, value in data.items()}  # flag spellings work too


def flag_answers(args: argparse.Namespace, spec_cls: type[Spec]) -> dict:
    return {q.name: getattr(args, q.name) for q in spec_cls.questions() if getattr(args, q.name, None) is not None}


# --- commands --------------------------------------------------------------------------------------------------
def cmd_configure(args: argparse.Namespace) -> int:
    from .project import configure_project
    from .project.configure import stored_budget_answers

    answers = {**load_answers(args.answers), **flag_answers(args, ConfigureSpec)}
    spec = ConfigureSpec.from_answers({**stored_budget_answers(args.project_dir, args.env), **answers})
    if interactive(args, spec, answers):
        spec = ask(spec, answers)
    spec.check()
    result = configure_project(args.project_dir, spec, env=args.env)
    print(f"Env {result['env']} now deploys to the {result['target']} as {result['arn']}.")
    print(f"Endpoint: {result['endpoint']}")
    if result["budget"]:
        print(f"Budget: {result['budget']['amount']} USD a month, alarms to {result['budget']['email']} "
              "(made by the next push).")
    elif result["budget"] is False:
        print("Budget: none (the next push deletes the env's budget if it has one).")
    for warning in result["warnings"]:
        print(f"Warning: {warning}", file=sys.stderr)
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from .project import Project, init_project, status_text

    answers = {**load_answers(args.answers), **flag_answers(args, InitSpec)}
    existing = Project(args.project_dir)
    if existing.exists:  # checked before any question: only the env is asked in an existing project
        if answers.get("name") not in (None, existing.name):
            raise InputError(f"This folder already holds the Amplify project {existing.name!r}; "
                             "keep that name (or use another folder).")
        return init_existing_project(args, existing, answers.get("env"))
    from .project.configure import stored_budget_answers

    env = answers.get("env") or "dev"
    target_kind = existing.target(env).kind  # the budget questions apply to an AWS account only
    stored = stored_budget_answers(args.project_dir, env)
    spec = InitSpec.for_project(Path(args.project_dir), {**stored, **answers}, target_kind=target_kind)
    if interactive(args, spec, answers):
        print("The following configuration will be applied:\n")
        for question in spec.questions():
            if question.applies(spec):
                print(f"  {question.prompt}: {getattr(spec, question.name)}")
        if not confirm(args, "Initialize the project with the above configuration?"):
            spec = ask(spec, answers, defaults=lambda given: InitSpec.for_project(
                Path(args.project_dir), {**stored, **given}, target_kind=target_kind))
    spec.check()
    project, result = init_project(args.project_dir, spec, progress=sys.stderr.isatty())
    print(f"✔ Initialized project {project.name} (env {project.env_name}) in {project.root} ({result.summary()}).")
    print("Your project has been successfully initialized and connected to the cloud!")
    print(status_text(project))
    return 0


def init_existing_project(args: argparse.Namespace, project, env: str | None) -> int:
    """Amplify's init in a folder that has a project: use one of its envs, or add a new one."""
    from .project import init_env, status_text
    from .project.env_records import env_names

    envs = env_names(project)
    if env is None and interactive(args):
        print(f"Note: {project.root} already holds the Amplify project {project.name} (envs: {', '.join(envs)}).")
        if yes_no("Do you want to use an existing environment?", True):
            env = ""
            while env not in envs:
                env = choose("Choose the environment you would like to use", tuple((e, e) for e in envs),
                             default=project.env_name)
        else:
            spec = ask(InitSpec.for_project(project.root, {"name": project.name, "env": ""}), {
                name: value for name, value in InitSpec.for_project(project.root, {"name": project.name}).to_answers().items()
                if name != "env"})
            env = spec.env
    env = env or project.env_name
    added = env not in envs
    result = init_env(project, env, progress=sys.stderr.isatty())
    if added:
        print(f"Added env {env} to project {project.name} with its own root resources "
              f"({result.summary()}); the other envs were not touched.")
    else:
        print(f"Env {env} of project {project.name} is now the current env.")
    print(status_text(project))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from .project import Project, endpoints, resource_status, status_text

    project = Project.open(args.project_dir)
    if args.drift:
        return show_drift(project, args.json)
    if args.json:
        print(json.dumps({"env": project.env_name, "resources": [r.as_dict() for r in resource_status(project, cloud=True)],
                          "endpoints": endpoints(project)}, indent=2))
    else:
        print(status_text(project))
    return 0


def show_drift(project, as_json: bool) -> int:
    """`status --drift`: the cloud against the env's last push (reads only)."""
    from .project.drift import drift, drift_text
    from .project.status import status_text

    rows = drift(project)
    if as_json:
        print(json.dumps({"env": project.env_name, "drift": [row.as_dict() for row in rows]}, indent=2))
    else:
        print(status_text(project, cloud=False))
        print(drift_text(project.env_name, rows))
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    from .project import Project, push, resource_status, show_plan, status_text

    if args.rollback:
        return cmd_push_rollback(args)
    project = Project.open(args.project_dir)
    with project.lock():  # held from the plan shown to the end, so what is confirmed is what runs
        print(status_text(project))
        preview = show_plan(project)
        print(preview.text() if args.plan else preview.summary())
        pending = [row for row in resource_status(project) if row.operation != "No Change"]
        if args.plan or not (preview.plan or pending):
            return 0
        if not confirm(args, "Are you sure you want to continue?"):
            print("Push cancelled: nothing was changed.")
            return 0
        result = push(project, progress=sys.stderr.isatty(), planned=preview.plan)
    if result.resumed:
        print(f"Resumed an interrupted push (it had finished {len(result.resumed.get('done', []))} step(s)).")
    print(f"✔ All resources are updated in the cloud ({result.summary()}).")
    print(status_text(project))
    return 0


def cmd_push_or_watch(args: argparse.Namespace) -> int:
    """`push`, and with --watch: push what is pending, then deploy each saved function's code until Ctrl-C."""
    if not args.watch:
        return cmd_push(args)
    if args.plan or args.rollback:
        raise InputError(f"{'--plan' if args.plan else '--rollback'} makes one push and --watch keeps deploying: "
                         "use one of them.")
    code = cmd_push(args)
    return code if code != 0 else watch_backend(args)


@contextlib.contextmanager
def until_stopped() -> Iterator[threading.Event]:
    """A command that runs until stopped: Ctrl-C ends the block quietly, SIGTERM sets the event it waits on."""
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        yield stop
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)


def watch_backend(args: argparse.Namespace) -> int:
    """Watch mode in the terminal: each event printed as it happens; Ctrl-C or SIGTERM stops it (exit 0)."""

    from .project import Project
    from .project.watch import start_watch

    project = Project.open(args.project_dir)
    watch = None
    try:
        with until_stopped() as stop:
            watch = start_watch(project, on_event=lambda event: print(event.text(), flush=True))
            print("Press Ctrl-C to stop watching.", flush=True)
            while watch.running and not stop.wait(0.5):
                pass
    finally:
        if watch is not None:
            watch.stop()
    return 1 if watch is not None and watch.state == "failed" else 0


def cmd_logs(args: argparse.Namespace) -> int:
    """A function's CloudWatch Logs; --follow prints new lines as they come until Ctrl-C or SIGTERM (exit 0)."""

    from .project import Project
    from .project.logs import follow_log_lines, log_group, parse_since, read_log_lines

    project = Project.open(args.project_dir)
    group = log_group(project, args.name)  # an unknown name is refused before any call
    start = parse_since(args.since)

    def show(line) -> None:
        print(json.dumps(line.as_dict()) if args.json else line.text(), flush=True)

    if not args.follow:
        lines = read_log_lines(project, args.name, start)
        for line in lines:
            show(line)
        if not lines and not args.json:
            print(f"No log lines in {group} for --since {args.since}: invoke the function, or widen --since.",
                  file=sys.stderr)
        return 0
    if not args.json:
        print(f"Following {group} (Ctrl-C to stop)...", file=sys.stderr, flush=True)
    with until_stopped() as stop:
        for line in follow_log_lines(project, args.name, start, stop):
            show(line)
    return 0


def cmd_push_rollback(args: argparse.Namespace) -> int:
    """push --rollback: the plan back to the previous push, the unpushed changes it would discard, then the push."""
    from .deploy import DisplayOnly
    from .project import Project, status_text
    from .project.rollback import prepare_rollback, run_rollback

    project = Project.open(args.project_dir)
    with project.lock():
        prepared = prepare_rollback(project)
        print(prepared.describe())
        preview = DisplayOnly(prepared.plan)
        print(preview.text() if args.plan else preview.summary())
        if args.plan:
            return 0
        prepared.check_discard(args.yes)
        if not confirm(args, "Are you sure you want to roll back?"):
            print("Rollback cancelled: nothing was changed.")
            return 0
        result = run_rollback(project, prepared, discard_unpushed=args.yes, progress=sys.stderr.isatty())
    print(f"✔ Env {prepared.env} is back at {prepared.target.label} ({result.summary()}).")
    print(status_text(project))
    return 0


def cmd_add_or_update(args: argparse.Namespace) -> int:
    from .categories import category as get_category
    from .project import Project, add_resource, current_spec, status_text, update_resource
    from .project.resources import check_can_add

    project = Project.open(args.project_dir)
    category = get_category(args.category)
    answers = {**load_answers(args.answers), **flag_answers(args, category.spec)}
    if args.command == "add":  # preconditions first: nothing is asked when the answer cannot be used
        check_can_add(project, args.category)
        base = category.default_spec(project)
    else:
        base = current_spec(project, args.category, args.resource)
        if "resource_name" in base.to_answers():  # the resource being updated keeps its name: not asked again
            answers.setdefault("resource_name", base.resource_name)
    spec = base.answered(answers)  # defaults that follow an answer (a storage name after its service) follow it
    if interactive(args, spec, answers):
        spec = ask(spec, answers)
    for warning in getattr(spec, "runtime_warnings", lambda: [])():  # said, not refused
        print(f"⚠️  {warning}")
    if args.command == "add":
        name = add_resource(project, args.category, spec)
        print(f"Successfully added resource {name} locally.")
    else:
        name = update_resource(project, args.category, spec, args.resource)
        print(f"Successfully updated resource {name} locally.")
    print("Run `amplify-nb push` to create it in the cloud." if args.command == "add" else "Run `amplify-nb push` to apply it.")
    print(status_text(project))
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from .project import Project, remove_resource, status_text
    from .project.resources import check_can_remove, resolve_resource_name

    project = Project.open(args.project_dir)
    name = resolve_resource_name(project, args.category, args.resource)  # preconditions before the question
    if name not in project.backend_config().get(args.category, {}):
        raise InputError(f"There is no {args.category} resource named {name!r}.")
    check_can_remove(project, args.category, name)
    if not confirm(args, f"Are you sure you want to delete the {args.category} resource {name}?"):
        print("Remove cancelled: nothing was changed.")
        return 0
    name = remove_resource(project, args.category, name)
    print(f"Successfully removed resource {name} locally. Run `amplify-nb push` to delete it from the cloud.")
    print(status_text(project))
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from .hosting import publish
    from .project import Project, resource_status, show_plan, status_text

    project = Project.open(args.project_dir)
    with project.lock():  # one lock from the confirmation to the end of the upload
        print(status_text(project))
        preview = show_plan(project)
        pending = [row for row in resource_status(project) if row.operation != "No Change"]
        if preview.plan or pending:
            print(preview.text())
            if not confirm(args, "Are you sure you want to continue?"):
                print("Publish cancelled: nothing was changed.")
                return 0
        result = publish(project, invalidate=args.invalidate, progress=sys.stderr.isatty(), planned=preview.plan)
    print(result.text())
    return 0


def cmd_app(args: argparse.Namespace) -> int:
    from . import sample_app
    from .project import Project

    project = Project.open(args.project_dir)
    print(sample_app.install_message(sample_app.install(project, overwrite=args.overwrite)))
    print(f"Build command: {project.frontend_config.get('BuildCommand')}; `amplify-nb publish` puts it online.")
    return 0


def cmd_mock(args: argparse.Namespace) -> int:
    from .project import Project
    from .project.mock import load_event, mock_function

    project = Project.open(args.project_dir)
    if args.timeout is not None and (not args.timeout.isdigit() or not 1 <= int(args.timeout) <= 900):
        raise InputError(f"--timeout must be a whole number of seconds between 1 and 900 (got {args.timeout!r}).")
    result = mock_function(project, args.name, load_event(args.event), timeout=int(args.timeout) if args.timeout else None)
    print(result.logs.rstrip())
    print("Result:" if not result.function_error else f"{result.function_error} error ({result.error_type}):")
    print(json.dumps(result.payload, indent=2))
    print(f"Finished execution in {result.duration_ms:.0f} ms.")
    return 1 if result.function_error else 0


def cmd_mock_api(args: argparse.Namespace) -> int:
    """Serve the unpushed API until Ctrl-C (or SIGTERM), then remove the mock from the local cloud."""

    from .project import Project
    from .project.mock import mock_api

    project = Project.open(args.project_dir)
    if args.port is not None and (not args.port.isdigit() or int(args.port) > 65535):
        raise InputError(f"--port must be a port number between 0 and 65535 (got {args.port!r}).")
    mock = mock_api(project, args.name, int(args.port) if args.port is not None else None)
    try:
        with until_stopped() as stop:
            print(f"Mocking API {mock.name} ({project.env_name}) from the project's files, unpushed:")
            print(f"  {mock.url}")
            for path, methods in mock.routes.items():
                print(f"    {path}: {methods}")
            print("Each request runs the functions' src/ as it is now. Press Ctrl-C to stop.", flush=True)
            while not stop.wait(0.5):
                pass
    finally:
        mock.stop()
    print("\nMock stopped.", flush=True)
    return 0


# --- environments and lifecycle: env add|checkout|list|remove, pull, delete --------------------------------------
def ask_env_name(project) -> str:
    """Amplify's question for a new env's name, asked again until the name is one the project can use."""
    from .prompts import read
    from .project.envs import check_new_env

    while True:
        name = read("? Enter a name for the environment ").strip()
        try:
            check_new_env(project, name)
            return name
        except InputError as exc:
            print(f">> {exc}")


def cmd_env(args: argparse.Namespace) -> int:
    from .project import Project, status_text
    from .project import envs

    project = Project.open(args.project_dir)
    if args.action == "add":
        name = args.name
        if name is None:
            if args.yes or not sys.stdin.isatty():
                raise InputError("Name the new environment: `amplify-nb env add NAME` (2-10 lowercase letters).")
            name = ask_env_name(project)
        result = envs.add_env(project, name, progress=sys.stderr.isatty())
        print(f"✔ Added env {name} to project {project.name} with its own root resources ({result.summary()}); "
              "it is now the current env. `amplify-nb push` creates its category resources.")
        print(status_text(project))
    elif args.action == "checkout":
        envs.checkout_env(project, require_env_name(args))
        print(f"✔ Switched to env {args.name}: #current-cloud-backend, amplify-meta.json and aws-exports follow its "
              "last push.")
        print(status_text(project))
    elif args.action == "list":
        return show_envs(project, args.details, args.json)
    else:
        name = require_env_name(args)
        envs.check_can_remove_env(project, name)
        if not confirm(args, f"Are you sure you want to continue? This CANNOT be undone. (This will delete the '{name}' "
                             "environment of the project from the cloud and from the local Amplify configuration.)",
                       default=False):
            print("Env remove cancelled: nothing was changed.")
            return 0
        result = envs.remove_env(project, name, progress=sys.stderr.isatty())
        resumed = " (finishing an interrupted teardown)" if result.resumed else ""
        print(f"✔ Removed env {name}{resumed}: its cloud resources are deleted ({result.summary()}) and its entries "
              "are gone from team-provider-info.json and local-aws-info.json.")
    return 0


def require_env_name(args: argparse.Namespace) -> str:
    if not args.name:
        raise InputError(f"Environment name was not specified: `amplify-nb env {args.action} NAME`.")
    return args.name


def show_envs(project, details: bool, as_json: bool) -> int:
    from . import views
    from .project.envs import list_envs

    summaries = list_envs(project, details=details)
    if as_json:
        print(json.dumps([summary.as_dict() for summary in summaries], indent=2))
    else:
        print(views.env_table(project, details=details, summaries=summaries).to_string(index=False))
    return 0


def cmd_pull(args: argparse.Namespace) -> int:
    from .project import status_text
    from .project.pull import LocalChangesError, describe, find_pull_project, pull

    try:
        result = pull(args.project_dir, env=args.env, force=args.yes)
    except LocalChangesError as exc:
        if not sys.stdin.isatty():
            raise
        print(f"⚠️  {exc}")
        if not yes_no("Are you sure you would like to continue?", False):
            print("Pull cancelled: nothing was changed.")
            return 0
        result = pull(args.project_dir, env=args.env, force=True)
    print(describe(result))
    print(status_text(find_pull_project(args.project_dir)))
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    from .project.delete import DELETE_MESSAGE, delete_project, find_project_to_delete

    project = find_project_to_delete(args.project_dir)
    where = getattr(project, "root", project)
    if not confirm(args, f"{DELETE_MESSAGE} [{where}]", default=False):
        print("Delete cancelled: nothing was changed.")
        return 0
    result = delete_project(project, progress=sys.stderr.isatty())
    for env in result.envs:
        print(f"✔ Env {env.env}: its cloud resources are deleted ({env.summary()}).")
    print(f"✔ Project deleted from {result.root}: removed {', '.join(result.files_removed) or 'nothing else'}.")
    return 0


def add_env_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """The parsers of env, pull and delete."""
    env = commands.add_parser("env", parents=[common], help="environments: add, checkout, list, remove")
    actions = env.add_subparsers(dest="action", required=True, metavar="ACTION")
    adding = actions.add_parser("add", parents=[common], help="add an env with its own root resources; it becomes current")
    adding.add_argument("name", nargs="?", help="2-10 lowercase letters (asked when left out)")
    checkout = actions.add_parser("checkout", parents=[common], help="make an env current (aws-exports follows)")
    checkout.add_argument("name", nargs="?")
    listing = actions.add_parser("list", parents=[common], help="every env, its target, stack and endpoints")
    listing.add_argument("--details", action="store_true", help="also each env's team-provider-info settings")
    listing.add_argument("--json", action="store_true")
    remove = actions.add_parser("remove", parents=[common], help="delete an env's cloud resources and its entries")
    remove.add_argument("name", nargs="?")
    env.set_defaults(handler=cmd_env)
    listing.set_defaults(name=None)

    pull = commands.add_parser("pull", parents=[common],
                               help="rebuild an env's local files from its last push (a fresh clone gets a working env)")
    pull.add_argument("--env", help="the env to pull (default: the current env, or the project's only env)")
    pull.set_defaults(handler=cmd_pull)

    delete = commands.add_parser("delete", parents=[common],
                                 help="delete every env's cloud resources, then the project's Amplify files")
    delete.set_defaults(handler=cmd_delete)


# --- console -------------------------------------------------------------------------------------------------
def cmd_console(args: argparse.Namespace) -> int:
    from .console import DOT_MISSING, console

    view = console(args.project_dir, env=args.env)
    if args.json:
        print(json.dumps(view.as_dict(), indent=2))
    else:
        print(view.text())
    if args.svg:
        svg, note = view.rendered()
        if svg is None:
            print(note or "No env to draw: open the console in a project, or name one with --env PROJECT/ENV.",
                  file=sys.stderr)
            return 1 if note == DOT_MISSING else 2
        from .fileio import atomic_write_text

        atomic_write_text(Path(args.svg), svg)
        print(f"Diagram of {view.env.key} written to {args.svg}.", file=sys.stderr)
    return 0


def add_console_command(commands: Any, common: argparse.ArgumentParser) -> None:
    shown = commands.add_parser("console", parents=[common],
                                help="every project, env, resource and endpoint on this machine, and a diagram")
    shown.add_argument("--env", help="the env to detail: ENV of this project or PROJECT/ENV (default: the current env)")
    shown.add_argument("--svg", metavar="FILE", help="also write the env's diagram as an SVG file")
    shown.add_argument("--json", action="store_true", help="everything as JSON, for scripts")
    shown.set_defaults(handler=cmd_console)


def cmd_export(args: argparse.Namespace) -> int:
    from .project import Project
    from .project.export import export_cloudformation

    project = Project.open(args.project_dir)
    exported = export_cloudformation(project, env=args.env, out_dir=args.out, lint=not args.no_lint)
    for template in exported:
        print(template.summary())
    if any(template.lint for template in exported):
        print("cfn-lint found problems in the exported template(s): please report them.", file=sys.stderr)
        return 1
    return 0


def cmd_local(args: argparse.Namespace) -> int:
    from .local import LocalCloud, LocalSettings
    from .local.control import megabytes

    cloud = LocalCloud(LocalSettings.from_env())
    if args.action == "start":
        state = cloud.ensure_running()
        restored = (state.get("restored") or {}).get("text")
        print(f"Local cloud running at {state['endpoint']} (pid {state['pid']}, state in {state['state_dir']})."
              + (f"\nRestored {restored}." if restored else ""))
    elif args.action == "stop":
        print("Local cloud stopped (state snapshotted)." if cloud.stop() else "The local cloud was not running.")
    elif args.action == "mailbox":
        return show_mailbox(cloud.settings.state_dir, args.json)
    elif args.action == "requests":
        return show_api_requests(cloud, args.api, args.json)
    elif args.action == "snapshot":
        taken = cloud.snapshot()
        print(json.dumps(taken, indent=2) if args.json else
              f"Snapshot of {taken['index']} logged requests written to {taken['file']} ({megabytes(taken['bytes'])}).")
    elif args.action == "reset":
        if not getattr(args, "yes", False):
            raise InputError("`amplify-nb local reset` deletes every resource of the local cloud "
                             f"({cloud.settings.state_dir}). Run it again with --yes to do it.")
        removed = cloud.reset()
        print(f"The local cloud is empty ({len(removed)} state files and folders removed); "
              "the next command that needs it starts it again.")
    elif args.action == "rebuild":
        state = cloud.rebuild()
        print(f"Rebuilt from the request log: {(state.get('restored') or {}).get('text', '')}.")
    else:
        return show_local_status({**cloud.status(), "state": cloud.state()}, args.json)
    return 0


def show_local_status(state: dict, as_json: bool) -> int:
    """Running or not, and the state on disk: its size, the newest snapshot's age, the log tail after it."""
    from .local.control import summary_rows

    if as_json:
        print(json.dumps(state, indent=2))
        return 0
    for what, value in summary_rows(state):
        print(f"{what}: {value}")
    return 0


def show_mailbox(state_dir: Path, as_json: bool) -> int:
    """The local cloud's mailbox, newest first: where Cognito's codes go instead of email."""
    from .local.services.cognito import read_mailbox

    messages = read_mailbox(state_dir)
    if as_json:
        print(json.dumps(messages, indent=2))
    elif not messages:
        print(f"The local mailbox is empty ({state_dir}): codes appear here after a sign-up or a password reset.")
    else:
        for message in messages:
            print(f"{message['time']}  to {message['to']}  [{message['purpose']}]  code {message['code']}  "
                  f"(expires {message['expires_at']})\n    Subject: {message['subject']}\n    {message['body']}")
    return 0


def show_api_requests(cloud: Any, api_id: str | None, as_json: bool) -> int:
    """The request inspector: the last requests to the local APIs (newest first), what auth decided and why."""
    from .local.services.apigateway.inspector import fetch_records, summarize_calls

    if not cloud.status()["running"]:
        print("The local cloud is not running: it keeps the requests to its APIs in memory only, so there are none.")
        return 0
    rows = fetch_records(cloud.settings.endpoint, api_id)
    if as_json:
        print(json.dumps(rows, indent=2))
    elif not rows:
        print("No requests to " + (f"API {api_id}" if api_id else "any local API") + " since the local cloud started.")
    else:
        for row in rows:
            lambda_ms = f"  lambda {row['lambda_ms']:.1f} ms" if row.get("lambda_ms") is not None else ""
            calls = summarize_calls(row.get("dynamodb") or [])
            print(f"{row['time']}  {row['api_id']}/{row['stage']}  {row['method']} {row['path']}  -> {row['status']}"
                  f"{lambda_ms}\n    {row['auth_type'] or '-'} {row['decision']}: {row['reason']}"
                  + (f"  (caller {row['caller']})" if row.get("caller") else "")
                  + (f"\n    DynamoDB: {calls}" if calls else ""))
    return 0


# --- setup: whole environments from files ------------------------------------------------------------------------
def cmd_setup(args: argparse.Namespace) -> int:
    """Each file planned and checked first (a bad one changes nothing), then applied; a file with trainees (or
    --trainees) sets up one project per trainee. A summary table of every project at the end."""
    import pandas as pd

    from .project.setup import (apply_environment, load_environment_data, plan_environment, plan_workshop,
                                shared_cloud_names, summary_rows)

    trainees = [t for t in re.split(r"[\s,]+", args.trainees or "") if t]
    project_dir = None if args.project_dir == "." else args.project_dir
    plans = []
    for file in args.files:
        data = load_environment_data(file)
        if trainees or data.get("trainees"):
            plans += [(f"{file} ({trainee})", planned)
                      for trainee, planned in plan_workshop(data, trainees or None, args.workshop_dir)]
        else:  # in a class (--workshop-dir), a file without a project_dir is one trainee's: <dir>/<file name>/
            folder = project_dir or (None if data.get("project_dir") or not args.workshop_dir
                                     else Path(args.workshop_dir) / Path(file).stem)
            plans.append((file, plan_environment(data, folder)))
    shared = shared_cloud_names(plans)
    if shared:
        raise InputError(shared)
    for label, planned in plans:
        print(f"== {label}: {planned.project_dir} (env {planned.env})")
        print(pd.DataFrame(planned.rows()).to_string(index=False))
    if args.plan:
        return 0
    if any(planned.changes_files for _, planned in plans) and not confirm(args, "Set up these environments?"):
        print("Setup cancelled: nothing was changed.")
        return 0
    results = []
    for label, planned in plans:
        print(f"== {label}: applying")
        results.append((label, apply_environment(planned, progress=sys.stderr.isatty())))
    print(pd.DataFrame(summary_rows(results)).to_string(index=False))
    return 0


# --- parser ----------------------------------------------------------------------------------------------------
def add_spec_flags(parser: argparse.ArgumentParser, spec_cls: type[Spec]) -> None:
    for question in spec_cls.questions():
        parser.add_argument(question.flag, dest=question.name, default=None, help=question.flag_help)
    parser.add_argument("--answers", metavar="FILE", help="answers as JSON or YAML (keys are the flag names with _)")


class Parser(argparse.ArgumentParser):
    """argparse with Amplify's "Did you mean ...?" for a mistyped command or category (exit 2)."""

    def error(self, message: str):
        match = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if match:
            choices = re.findall(r"'([^']*)'", match[2])
            close = difflib.get_close_matches(match[1], choices, n=1, cutoff=0.6)
            if close:
                message += f"\nDid you mean {close[0]}?"
        super().error(message)


def build_parser() -> argparse.ArgumentParser:
    common = Parser(add_help=False)
    common.add_argument("--project-dir", default=argparse.SUPPRESS, help="the project folder (default: current folder)")
    common.add_argument("--yes", "-y", action="store_true", default=argparse.SUPPRESS,
                        help="accept defaults and confirmations, ask nothing")
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")

    parser = Parser(prog="amplify-nb", parents=[common],
                    description="The Amplify Gen 1 workflow against a local cloud or AWS.")
    parser.add_argument("--version", "-v", action="version", version=f"amplify-nb {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    help_command = commands.add_parser("help", help="show the commands, or one command's options")
    help_command.add_argument("topic", nargs="*", help="a command (and category), e.g. `help add api`")
    help_command.set_defaults(handler=lambda args: show_help(parser, args.topic))

    configure = commands.add_parser("configure", parents=[common], help="choose the target cloud for an env")
    add_spec_flags(configure, ConfigureSpec)
    configure.add_argument("--env", help="the env to configure (default: the current env, or dev)")
    configure.set_defaults(handler=cmd_configure)

    init = commands.add_parser("init", parents=[common], help="initialize an Amplify project here")
    add_spec_flags(init, InitSpec)
    init.set_defaults(handler=cmd_init)

    status = commands.add_parser("status", parents=[common], help="what push would create, update or delete")
    status.add_argument("--json", action="store_true")
    status.add_argument("--drift", action="store_true",
                        help="compare the cloud with the last push: in sync, changed (which settings), missing, extra")
    status.set_defaults(handler=cmd_status)

    push = commands.add_parser("push", parents=[common], help="deploy the backend")
    push.add_argument("--plan", action="store_true", help="show the API calls push would make, make none")
    push.add_argument("--watch", action="store_true",
                      help="after the push, keep watching amplify/backend: a saved function's src/ is deployed as "
                           "code only; other changes print what a push would do (Ctrl-C stops)")
    push.add_argument("--rollback", action="store_true", help="return the env to its previous push (--plan: show how)")
    push.set_defaults(handler=cmd_push_or_watch)

    from .categories import load_categories

    categories = load_categories()
    for verb, summary in (("add", "add a resource to the backend"), ("update", "change a resource's answers")):
        verb_parser = commands.add_parser(verb, parents=[common], help=summary)
        kinds = verb_parser.add_subparsers(dest="category", required=True, metavar="CATEGORY")
        for name, category in categories.items():
            kind = kinds.add_parser(name, parents=[common], help=f"{verb} {name}")
            add_spec_flags(kind, category.spec)
            if verb == "update":
                kind.add_argument("resource", nargs="?", help="the resource name (if there are several)")
            kind.set_defaults(handler=cmd_add_or_update)
    remove = commands.add_parser("remove", parents=[common], help="remove a resource (deleted from the cloud at push)")
    remove.add_argument("category", choices=sorted(categories) or None)
    remove.add_argument("resource", nargs="?", help="the resource name (if there are several)")
    remove.set_defaults(handler=cmd_remove)

    publish = commands.add_parser("publish", parents=[common], help="push, build the app and upload it to hosting")
    publish.add_argument("--invalidate", "--invalidateCloudFront", "-c", dest="invalidate", action="store_true",
                         help="invalidate the CloudFront cache after the upload (PROD hosting)")
    publish.set_defaults(handler=cmd_publish)

    app = commands.add_parser("app", parents=[common], help="the tutorial's sample web app")
    app.add_argument("action", choices=["install"], help="install: copy it into the project's source folder and "
                                                          "make it the project's build (what 02-hosting does)")
    app.add_argument("--overwrite", action="store_true", help="replace the app's files you changed too")
    app.set_defaults(handler=cmd_app)

    mock = commands.add_parser("mock", parents=[common], help="run a function's local code against the local cloud")
    mock_kinds = mock.add_subparsers(dest="kind", required=True, metavar="KIND")
    mock_function = mock_kinds.add_parser("function", parents=[common], help="invoke a function's unpushed src/")
    mock_function.add_argument("name", help="the function's resource name")
    mock_function.add_argument("--event", metavar="FILE", help="the event as a JSON file (default: {})")
    mock_function.add_argument("--timeout", metavar="N", help="seconds before the invoke is stopped (default 10)")
    mock_function.set_defaults(handler=cmd_mock)
    mock_api = mock_kinds.add_parser("api", parents=[common],
                                     help="serve the project's unpushed API on the local cloud")
    mock_api.add_argument("name", nargs="?", help="the API's resource name (default: the project's only API)")
    mock_api.add_argument("--port", metavar="N", help="also serve it at http://127.0.0.1:N/<env> (0: any free port)")
    mock_api.set_defaults(handler=cmd_mock_api)

    setup = commands.add_parser("setup", parents=[common], help="create or update whole environments from YAML files")
    setup.add_argument("files", nargs="+", metavar="FILE", help="environment files (examples/envs/*.yaml)")
    setup.add_argument("--trainees", help="one project per trainee (comma- or space-separated names) under "
                                          "--workshop-dir, instead of the file's trainees")
    setup.add_argument("--workshop-dir", help="where the trainees' projects go (default: the file's workshop_dir); "
                                              "a file without trainees or project_dir goes to DIR/<file name>/")
    setup.add_argument("--plan", action="store_true", help="show what would be added or updated, change nothing")
    setup.set_defaults(handler=cmd_setup)

    logs = commands.add_parser("logs", parents=[common], help="a function's CloudWatch Logs (local cloud or AWS)")
    log_kinds = logs.add_subparsers(dest="kind", required=True, metavar="KIND")
    logs_function = log_kinds.add_parser("function", parents=[common],
                                         help="START/END/REPORT, prints and errors of a function of the current env")
    logs_function.add_argument("name", help="the function's resource name")
    logs_function.add_argument("--since", default="10m",
                               help="from how long ago (30s, 10m, 2h, 1d) or an ISO time (default 10m)")
    logs_function.add_argument("--follow", "-f", action="store_true", help="keep printing new lines until Ctrl-C")
    logs_function.add_argument("--json", action="store_true", help="one JSON object per line (JSON Lines)")
    logs_function.set_defaults(handler=cmd_logs)

    add_env_commands(commands, common)
    add_console_command(commands, common)
    export = commands.add_parser("export", parents=[common], help="write the backend as CloudFormation templates")
    export_kinds = export.add_subparsers(dest="format", required=True, metavar="FORMAT")
    export_cfn = export_kinds.add_parser("cloudformation", parents=[common],
                                         help="one template per env (with its functions' zips), checked by cfn-lint")
    export_cfn.add_argument("--env", help="only this env (default: every initialized env)")
    export_cfn.add_argument("--out", metavar="DIR", help="where to write them (default: export/cloudformation)")
    export_cfn.add_argument("--no-lint", action="store_true", help="skip the cfn-lint check (it takes a few seconds)")
    export_cfn.set_defaults(handler=cmd_export)

    local = commands.add_parser("local", parents=[common], help="the embedded local cloud")
    local.add_argument("action", choices=["start", "stop", "status", "mailbox", "requests", "snapshot", "reset",
                                          "rebuild"],
                       help="status: running or not, state size, snapshot age, log tail; mailbox: the codes Cognito "
                            "sent (newest first); requests: the last requests to the local APIs, the auth decision "
                            "and the DynamoDB calls each made (--api ID for one); snapshot: write one now; reset --yes: empty the cloud; rebuild: "
                            "replay the whole request log (after a moto upgrade)")
    local.add_argument("--json", action="store_true")
    local.add_argument("--api", metavar="ID", help="with requests: only this REST API's")
    local.set_defaults(handler=cmd_local)
    return parser


def show_help(parser: argparse.ArgumentParser, topic: list[str]) -> int:
    """`amplify-nb help [COMMAND ...]`: the same text as --help, found by name."""
    chosen = parser
    for word in topic:
        subparsers = [action for action in chosen._actions if isinstance(action, argparse._SubParsersAction)]
        if not subparsers or word not in subparsers[0].choices:
            chosen.error(f"argument COMMAND: invalid choice: '{word}' (choose from "
                         + ", ".join(f"'{c}'" for c in (subparsers[0].choices if subparsers else ())) + ")")
        chosen = subparsers[0].choices[word]
    chosen.print_help()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run one command; every failure is one message and an exit code, a traceback only with --debug."""
    debug = "--debug" in (sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
        for name, default in (("project_dir", "."), ("yes", False), ("debug", False)):
            if not hasattr(args, name):
                setattr(args, name, default)
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except Aborted:  # Ctrl-D or Ctrl-C at a prompt: nothing was written
        print()
        print("Aborted.", file=sys.stderr)
        return 130
    except InputError as exc:
        print(f"🛑 {exc}", file=sys.stderr)
        return 2
    except AmplifyNbError as exc:
        if debug:
            raise
        print(f"🛑 {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `amplify-nb status | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        if debug:
            raise
        print("\nInterrupted. Run the command again to continue where it stopped.", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug or an unexpected failure: still one line, the traceback with --debug
        if debug:
            raise
        print(f"🛑 Unexpected error: {type(exc).__name__}: {exc} (run with --debug to see the traceback)", file=sys.stderr)
        return 1


def run() -> None:
    """The `amplify-nb` program: main() with the garbage collector kept off what a command never frees.

    The modules imported by now (boto3 among them) live as long as the process, yet every full collection would
    walk them again; and at exit Python collects every object botocore loaded (service models, endpoint rules),
    about 0.3 s after a publish. Both are frozen out of the collector (gc.freeze), so the process ends at once.
    Tests call main() and keep collecting.
    """
    import gc

    gc.freeze()
    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()

