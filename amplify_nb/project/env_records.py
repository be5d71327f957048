"""An env's push record: which env's last push `amplify/#current-cloud-backend/` describes, and switching envs.

`#current-cloud-backend/` is the record of the CURRENT env's last push; the sweeper deletes only what it lists.
As Amplify does, every push also keeps that record in its env's deployment bucket
(`#current-cloud-backend.zip`), so switching to another env saves the current record and brings back the other
env's (or none, for a new env): a push of env B can never plan from, or delete, what env A made.
The record names its env's root stack (`providers.awscloudformation.StackName` in its amplify-meta.json), which
is how a push checks that the record really is its env's.

The env commands that use all this (`env add / checkout / list / remove`) are envs.py.
"""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import botocore.exceptions

from ..aws import error_code
from ..categories.root import deployment_bucket_name
from ..errors import AmplifyNbError, CloudError
from ..fileio import read_json, remove_tree, swapped_tree
from .dependencies import dependency_order
from .project import Project

RECORD_KEY = "#current-cloud-backend.zip"


def env_names(project: Project) -> list[str]:
    return list(project.team_provider_info())


def stack_name(project: Project, env: str) -> str | None:
    return project.env_info(env).get("awscloudformation", {}).get("StackName")


def is_initialized(project: Project, env: str) -> bool:
    """The env's root resources were pushed once (init records the deployment bucket only after its push)."""
    return bool(project.env_info(env).get("awscloudformation", {}).get("DeploymentBucketName"))


def record_owner(project: Project) -> str | None:
    """The root stack whose last push #current-cloud-backend/ describes (None when there is no record)."""
    meta = read_json(project.paths.current_cloud_backend / "amplify-meta.json", None)
    if not meta:
        return None
    return meta.get("providers", {}).get("awscloudformation", {}).get("StackName")


def check_record_belongs(project: Project, env: str) -> None:
    """Refuse to plan from another env's record: its resources would look like this env's leftovers."""
    owner, mine = record_owner(project), stack_name(project, env)
    if owner is not None and owner != mine:
        raise AmplifyNbError(
            f"amplify/#current-cloud-backend describes the root stack {owner}, not env {env!r} ({mine}): an "
            f"env switch was interrupted. Run `amplify-nb init --env {env} --yes` to finish it; nothing was changed.")


def save_record(project: Project, env: str) -> None:
    """Keep #current-cloud-backend/ (the env's last push) in the env's deployment bucket, as Amplify does."""
    body = record_archive(project.paths.current_cloud_backend)
    if body is not None:
        bucket_call(project, env, "put_object", Body=body)


def record_archive(folder: Path) -> bytes | None:
    """#current-cloud-backend/ as the zip kept in the deployment bucket (None when there is no record)."""
    if not folder.is_dir():
        return None
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def fetch_record(project: Project, env: str) -> bytes | None:
    """The env's last push record (a zip of its #current-cloud-backend/) from its deployment bucket, if any."""
    body = bucket_call(project, env, "get_object", missing=("NoSuchKey", "NoSuchBucket", "404"))
    return None if body is None else body["Body"].read()


def unpack_record(env: str, record: bytes, folder: Path) -> None:
    """Write a record's files into an empty folder, refusing any path that would land outside it."""
    with zipfile.ZipFile(io.BytesIO(record)) as archive:
        for member in archive.infolist():
            target = (folder / member.filename).resolve()
            if folder.resolve() not in target.parents:  # a record never holds paths outside its folder
                raise AmplifyNbError(f"The record of env {env!r} holds an unsafe path {member.filename!r}.")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(member))


def record_json(record: bytes, name: str) -> dict:
    """One JSON file of a record (amplify-meta.json, backend-config.json); {} when it has none."""
    with zipfile.ZipFile(io.BytesIO(record)) as archive:
        return json.loads(archive.read(name)) if name in archive.namelist() else {}


def record_identities(meta: dict, config: dict) -> list[dict]:
    """What a record says its push made for categories, in creation order (the sweeper reverses it)."""
    identities = []
    for category_name, resource_name in dependency_order(config):
        entry = meta.get(category_name, {}).get(resource_name, {})
        identities += entry.get("providerMetadata", {}).get("resources", [])
    return identities


def restore_record(project: Project, env: str) -> bool:
    """Make #current-cloud-backend/ the env's last push from its deployment bucket; no record -> no folder."""
    record = fetch_record(project, env)
    if record is None:
        remove_tree(project.paths.current_cloud_backend)
        return False
    with swapped_tree(project.paths.current_cloud_backend) as staging:
        unpack_record(env, record, staging)
    return True


def switch_env(project: Project, env: str, refresh: bool = False) -> None:
    """Make `env` the current env: save the current env's record, bring back env's, regenerate amplify-meta.json
    and aws-exports from it. Category files under amplify/backend/ are shared by every env and kept.
    refresh (pull): bring env's record back from its bucket even when env is current already.

    Order for a kill at any point: the old record is saved first; until local-env-info.json names the new env,
    a mismatch between the two is refused by check_record_belongs and a rerun finishes the switch.
    """
    from .exports import write_exports

    current = read_json(project.paths.local_env_info, {}).get("envName")
    owner = record_owner(project)
    if current == env and owner in (None, stack_name(project, env)) and not refresh:
        return
    if current and current != env and owner is not None and owner == stack_name(project, current) and is_initialized(project, current):
        save_record(project, current)
    if is_initialized(project, env):
        restore_record(project, env)
    else:
        remove_tree(project.paths.current_cloud_backend)
    local_env = read_json(project.paths.local_env_info, {})
    project.write_json(project.paths.local_env_info, {
        "projectPath": str(project.root), "defaultEditor": local_env.get("defaultEditor", "vscode"), "envName": env})
    current_meta = read_json(project.paths.current_cloud_backend / "amplify-meta.json", None)
    awscf = project.env_info(env).get("awscloudformation", {})
    project.write_json(project.paths.amplify_meta, current_meta or {"providers": {"awscloudformation": dict(awscf)}})
    write_exports(project)


def env_bucket(project: Project, env: str) -> str:
    """The env's deployment bucket, where its push records are kept."""
    awscf = project.env_info(env).get("awscloudformation", {})
    return awscf.get("DeploymentBucketName") or deployment_bucket_name(awscf["StackName"])


def bucket_call(project: Project, env: str, method: str, missing: tuple = (), key: str | None = RECORD_KEY, **params):
    """One call on the env's deployment bucket (on `key`, or on the bucket itself for key=None)."""
    bucket = env_bucket(project, env)
    client = project.target(env).client("s3")
    try:
        return getattr(client, method)(Bucket=bucket, **({"Key": key} if key else {}), **params)
    except botocore.exceptions.ClientError as exc:
        if error_code(exc) in missing:
            return None
        raise CloudError(f"Keeping env {env!r}'s push record in s3://{bucket}/{key or ''} failed ({method}): {exc}. "
                         "Run the command again.") from exc
    except botocore.exceptions.BotoCoreError as exc:
        raise CloudError(f"Cannot reach the cloud of env {env!r} to keep its push record: {exc}.") from exc


def forget_env(project: Project, env: str) -> None:
    """Drop env's entries: team-provider-info.json first (then the env is gone), local-aws-info.json second."""
    team = project.team_provider_info()
    if team.pop(env, None) is not None:
        project.write_json(project.paths.team_provider_info, team)
    aws_info = read_json(project.paths.local_aws_info, {})
    if aws_info.pop(env, None) is not None:
        project.write_json(project.paths.local_aws_info, aws_info)
