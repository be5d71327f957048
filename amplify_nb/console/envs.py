"""The console's envs: the current project's (wherever they deploy) and every other env the local cloud holds,
found by its deployment bucket (tagged `amplify-nb:stack`, named `<stack>-deployment`) and read from the push record
in it (`#current-cloud-backend.zip`: the env's amplify-meta, with its outputs and the models each push made).
The cloud does not know where a project lives: the console notes each project it is opened in
(`<local cloud state>/console/projects.json`); other projects are "not on this machine"."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..aws import Target
from ..categories.root import deployment_bucket_name
from ..deploy import RemoteState
from ..errors import InputError
from ..fileio import atomic_write_json, read_json
from ..project import Project
from ..project.env_records import RECORD_KEY, fetch_record, record_json
from ..project.envs import list_envs
from ..project.status import endpoints as category_endpoints

STACK_TAG = "amplify-nb:stack"
PROJECT_TAG = "user:Application"
ENV_TAG = "user:Stack"
NOT_ON_THIS_MACHINE = "not on this machine"


@dataclass(frozen=True)
class ConsoleEnv:
    """One env of one project, as the console's first table shows it."""

    project: str
    env: str
    target: str
    stack: str
    folder: str  # the project's folder on this machine, or NOT_ON_THIS_MACHINE
    current: bool  # the current env of the project the console was opened in
    resources: int
    last_push: str
    endpoints: dict = field(default_factory=dict)
    note: str = ""
    meta: dict = field(default_factory=dict, repr=False)  # the env's last push amplify-meta.json
    region: str = ""

    @property
    def key(self) -> str:
        return f"{self.project}/{self.env}"

    def as_dict(self) -> dict:
        shown = asdict(self)
        shown.pop("meta")
        return shown

    def target_object(self, project: Project | None) -> Target:
        if project is not None and self.folder == str(project.root):
            return project.target(self.env)
        return Target(kind="local", region=self.region or Target().region)


# --- where projects live ------------------------------------------------------------------------------------
def registry_file() -> Path:
    from ..local import LocalSettings

    return LocalSettings.from_env().state_dir / "console" / "projects.json"


def remember_project(project: Project) -> None:
    """Note the project's folder for each of its envs' stacks, so the console can name it from any project."""
    from filelock import FileLock

    stacks = {env.get("awscloudformation", {}).get("StackName"): str(project.root)
              for env in project.team_provider_info().values()}
    stacks.pop(None, None)
    path = registry_file()
    if all(read_json(path, {}).get(stack) == folder for stack, folder in stacks.items()):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path) + ".lock", timeout=30):  # two kernels may open the console at once
        atomic_write_json(path, {**read_json(path, {}), **stacks})


def project_folder(stack: str, known: dict) -> str:
    """The folder recorded for the stack, if it still holds a project with that stack; else NOT_ON_THIS_MACHINE."""
    folder = known.get(stack)
    if folder and Project(folder).exists:
        stacks = {env.get("awscloudformation", {}).get("StackName") for env in Project(folder).team_provider_info().values()}
        if stack in stacks:
            return folder
    return NOT_ON_THIS_MACHINE


# --- the envs ------------------------------------------------------------------------------------------------
def local_cloud_envs(remote: RemoteState) -> list[ConsoleEnv]:
    """Every env on the local cloud: each deployment bucket tagged with its stack, read with its push record."""
    known = read_json(registry_file(), {})
    found = []
    for bucket in remote.read("s3", "list_buckets").get("Buckets", []):
        name = bucket["Name"]
        if not (name.startswith("amplify-") and name.endswith("-deployment")):
            continue
        tags = bucket_tags(remote, name)
        stack = tags.get(STACK_TAG)
        if not stack or deployment_bucket_name(stack) != name:
            continue
        meta, note = read_record(remote, name)
        region = meta.get("providers", {}).get("awscloudformation", {}).get("Region") or remote.region
        found.append(summarize(tags.get(PROJECT_TAG, "?"), tags.get(ENV_TAG, "?"), f"local cloud ({region})",
                               stack, project_folder(stack, known), meta, note, region))
    return found


def bucket_tags(remote: RemoteState, bucket: str) -> dict:
    answer = remote.read("s3", "get_bucket_tagging", missing=("NoSuchTagSet", "NoSuchBucket"), Bucket=bucket)
    return {tag["Key"]: tag["Value"] for tag in (answer or {}).get("TagSet", [])}


def read_record(remote: RemoteState, bucket: str) -> tuple[dict, str]:
    """(amplify-meta, note) of the env's last push record; empty before its first push."""
    answer = remote.read("s3", "get_object", missing=("NoSuchKey", "NoSuchBucket", "404"), Bucket=bucket, Key=RECORD_KEY)
    if answer is None:
        return {}, "no push record yet"
    return record_json(answer["Body"].read(), "amplify-meta.json"), ""


def summarize(project: str, env: str, target: str, stack: str, folder: str, meta: dict, note: str,
              region: str, current: bool = False) -> ConsoleEnv:
    entries = [entry for category, resources in meta.items() if category != "providers" for entry in resources.values()]
    return ConsoleEnv(project=project, env=env, target=target, stack=stack, folder=folder, current=current,
                      resources=len(entries),
                      last_push=max((entry.get("lastPushTimeStamp", "") for entry in entries), default=""),
                      endpoints=category_endpoints(None, meta) if meta else {}, note=note, meta=meta,  # from meta alone
                      region=region)


def project_envs(project: Project) -> list[ConsoleEnv]:
    """The project's own envs wherever they deploy (the local cloud, AWS, an endpoint), from list_envs."""
    envs = []
    for summary in list_envs(project):
        meta = {}
        if summary.pushed and not summary.note:
            if summary.current:
                meta = project.amplify_meta(current=True)
            else:
                record = fetch_record(project, summary.env)
                meta = record_json(record, "amplify-meta.json") if record else {}
        target = project.target(summary.env)
        envs.append(summarize(project.name, summary.env, summary.target, summary.stack, str(project.root), meta,
                              summary.note or ("" if summary.pushed else "not pushed yet"), target.region,
                              current=summary.current))
    return envs


def console_envs(project: Project | None) -> list[ConsoleEnv]:
    """The current project's envs first (all targets), then every other env the local cloud holds."""
    own = project_envs(project) if project is not None else []
    stacks = {env.stack for env in own}
    others = [env for env in local_cloud_envs(RemoteState(Target(kind="local"))) if env.stack not in stacks]
    return own + sorted(others, key=lambda env: (env.project, env.env))


def choose_env(envs: list[ConsoleEnv], wanted: str | None, project: Project | None) -> ConsoleEnv | None:
    """The env to detail: `wanted` is ENV (of the current project) or PROJECT/ENV; default the current env."""
    if wanted is None:
        return next((env for env in envs if env.current), envs[0] if envs and project is None else None)
    project_name, _, env_name = wanted.rpartition("/")
    if not project_name and project is not None:
        project_name = project.name
    matches = [env for env in envs if env.env == env_name and (not project_name or env.project == project_name)]
    if len(matches) != 1:
        known = ", ".join(env.key for env in envs) or "none"
        reason = "is ambiguous" if matches else "is not known"
        raise InputError(f"Env {wanted!r} {reason}: name it as PROJECT/ENV, one of: {known}.")
    return matches[0]
