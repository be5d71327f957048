"""The env commands: `env add / checkout / list / remove`, with Amplify's name rules and messages.

What an env's push record is, and how switching envs keeps each env's record apart, is env_records.py;
removing an env's cloud resources is delete.py's teardown.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from ..errors import AmplifyNbError, InputError, Problem
from ..fileio import read_json
from .env_records import env_names, fetch_record, is_initialized, record_json, record_owner, stack_name, switch_env
from .project import Project
from .status import endpoints as status_endpoints

if TYPE_CHECKING:
    from .delete import TeardownResult
    from .push import PushResult

MISSING_ENV_MESSAGE = ("Please pass in a valid environment name. Run `amplify-nb env list` to get a list of valid "
                       "environments (this project has: {envs}).")
CURRENT_ENV_MESSAGE = ("You cannot delete your current environment. Switch to another environment before deleting the "
                       "current environment (`amplify-nb env checkout OTHER`). If this is your only environment you can "
                       "use the `amplify-nb delete` command to delete your project.")


def env_name_problems(name: object) -> list[Problem]:
    """Amplify's rule for an env name (2-10 lowercase letters), with its message; [] when the name is good."""
    from ..specs import InitSpec
    from ..specs.init import ENV_NAME_MESSAGE

    if not isinstance(name, str):
        return [Problem("env", ENV_NAME_MESSAGE)]
    return [problem for problem in InitSpec.from_answers({"name": "amplifynb", "env": name}).problems()
            if problem.field == "env"]


def check_new_env(project: Project, name: object) -> None:
    """A name `env add` can use: Amplify's rule, and not an env the project already has (unless that env's
    add was interrupted: then `env add` finishes it)."""
    problems = env_name_problems(name)
    if problems:
        raise InputError(problems)
    if name in env_names(project) and not add_was_interrupted(project, str(name)):
        raise InputError([Problem("env", f"An environment named '{name}' already exists in this project. Choose "
                                         f"another name, or switch to it with `amplify-nb env checkout {name}`.")])


def add_was_interrupted(project: Project, env: str) -> bool:
    """The env's entries were written but its root push never finished (killed): its add can be run again."""
    journal = read_json(project.paths.push_journal, None) or {}
    return not is_initialized(project, env) or journal.get("env") == env


def check_env_exists(project: Project, env: object) -> str:
    names = env_names(project)
    if not isinstance(env, str) or env not in names:
        raise InputError([Problem("env", MISSING_ENV_MESSAGE.format(envs=", ".join(names) or "none"))])
    return env


def add_env(project: Project, env: str, progress: bool = False) -> "PushResult":
    """`amplify env add`: a new env of this project with root resources of its own (deployment bucket, auth and
    unauth roles), made the current env. Its categories are pushed by the next push, named with the new env.
    It deploys where `configure --env NAME` said, else to the local cloud."""
    from .init import init_env

    check_new_env(project, env)
    return init_env(project, env, progress=progress)


def checkout_env(project: Project, env: str) -> None:
    """`amplify env checkout`: make env current; #current-cloud-backend, amplify-meta.json and aws-exports follow
    its last push. amplify/backend (shared by every env) is kept."""
    check_env_exists(project, env)
    with project.lock():
        switch_env(project, env)


@dataclass(frozen=True)
class EnvSummary:
    """One env as `env list` shows it."""

    env: str
    current: bool
    target: str  # where it deploys: local cloud, an AWS profile, an endpoint
    stack: str  # its root stack name (every resource of the env is tagged with it)
    pushed: bool  # its root resources exist (env add / init finished)
    resources: int  # category resources in its last push record
    last_push: str  # the newest lastPushTimeStamp of its record ("" before any category push)
    endpoints: dict = field(default_factory=dict)
    note: str = ""  # why the record could not be read, if it could not
    details: dict = field(default_factory=dict)  # with details: its awscloudformation block (no secret in it)

    def as_dict(self) -> dict:
        return asdict(self)


def list_envs(project: Project, details: bool = False) -> list[EnvSummary]:
    """Every env of the project; each one's endpoints and resources come from its last push record (the current
    env's is amplify/#current-cloud-backend, the others' are read from their deployment buckets)."""
    current = read_json(project.paths.local_env_info, {}).get("envName")
    summaries = []
    for env in env_names(project):
        awscf = project.env_info(env).get("awscloudformation", {})
        meta, note = {}, ""
        if is_initialized(project, env):
            try:
                meta = env_record_meta(project, env, current)
            except AmplifyNbError as exc:
                note = f"its last push record could not be read: {exc}"
        resources = {(category, name): entry for category, entries in meta.items() if category != "providers"
                     for name, entry in entries.items()}
        summaries.append(EnvSummary(
            env=env, current=env == current, target=project.target(env).describe(), stack=awscf.get("StackName", ""),
            pushed=is_initialized(project, env), resources=len(resources),
            last_push=max((entry.get("lastPushTimeStamp", "") for entry in resources.values()), default=""),
            endpoints=status_endpoints(project, meta) if meta else {}, note=note,
            details=dict(awscf) if details else {}))
    return summaries


def env_record_meta(project: Project, env: str, current: str | None) -> dict:
    """The amplify-meta.json of env's last push: the local record for the current env, else its bucket's."""
    if env == current and record_owner(project) == stack_name(project, env):
        return project.amplify_meta(current=True)
    record = fetch_record(project, env)
    return record_json(record, "amplify-meta.json") if record else {}


def remove_env(project: Project, env: str, progress: bool = False) -> "TeardownResult":
    """`amplify env remove`: delete every cloud resource of env (each category resource its last push lists,
    then its root resources: the deployment bucket emptied of every version, the auth and unauth roles), then its
    team-provider-info.json and local-aws-info.json entries. The current env is refused. A run killed at any
    step is finished by running it again."""
    from .delete import teardown_env

    check_can_remove_env(project, env)
    with project.lock():
        return teardown_env(project, env, progress=progress)


def check_can_remove_env(project: Project, env: object) -> None:
    """An env `env remove` may delete: one the project has, and not the current one (Amplify's messages)."""
    check_env_exists(project, env)
    if env == read_json(project.paths.local_env_info, {}).get("envName"):
        raise InputError([Problem("env", CURRENT_ENV_MESSAGE)])
