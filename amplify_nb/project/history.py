"""Push history: what each successful push deployed, kept in the env's deployment bucket for `push --rollback`.

Every push that changed something keeps its record (the zip of #current-cloud-backend/ that env_records.save_record
keeps as the newest) a second time under a numbered key, and the function zips that record names under
content-hashed keys (`amplify-builds/<function>-<sha256>-build.zip`, named in its amplify-meta.json as Amplify's
`s3Bucket.s3Key`). The last KEEP_RECORDS records are kept; a zip stays while a kept record names it.

A record's key says everything a rollback needs without reading it: its number, when it was pushed, a digest of
the backend state it holds and, for a rollback, which record's state it brought back ("restores"), so a second
rollback goes back further instead of undoing the first one.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..deploy.rules.awslambda import Function
from ..errors import AmplifyNbError
from ..fileio import atomic_write_json, read_json
from .env_records import bucket_call, env_bucket, record_archive
from .project import Project

HISTORY_PREFIX = "amplify-nb/push-records/"
BUILDS_PREFIX = "amplify-builds/"
KEEP_RECORDS = 10
RESTORE_MARKER = "local-rollback.json"  # under amplify/.config: a rollback started and not yet recorded
_KEY = re.compile(HISTORY_PREFIX + r"(?P<sequence>\d{6})-(?P<pushed_at>\d{8}T\d{6}Z)-(?P<digest>[0-9a-f]{16})"
                  r"(?:-restores-(?P<restores>\d{6}))?\.zip")
MISSING = ("NoSuchKey", "404", "NotFound")


@dataclass(frozen=True)
class KeptRecord:
    """One kept push: `restores` is the record whose backend it deployed (itself, unless it was a rollback)."""

    sequence: int
    pushed_at: str  # 20261201T163000Z
    digest: str  # state_digest of the record
    restores: int

    @property
    def key(self) -> str:
        tail = f"-restores-{self.restores:06d}" if self.restores != self.sequence else ""
        return f"{HISTORY_PREFIX}{self.sequence:06d}-{self.pushed_at}-{self.digest}{tail}.zip"

    @property
    def label(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.strptime(self.pushed_at, "%Y%m%dT%H%M%SZ"))
        again = f", a rollback to push #{self.restores}" if self.restores != self.sequence else ""
        return f"push #{self.sequence} ({when}{again})"

    @classmethod
    def from_key(cls, key: str) -> "KeptRecord | None":
        found = _KEY.fullmatch(key)
        if not found:
            return None
        sequence = int(found["sequence"])
        return cls(sequence, found["pushed_at"], found["digest"], int(found["restores"] or sequence))


def previous_record(records: list[KeptRecord], current_digest: str) -> KeptRecord | None:
    """The push before the env's current state: the record kept before the one this state restores.

    The current state is the newest record with its digest; a rollback's record restores an older one, so going
    back from it skips what the rollback undid. A state not kept at all (pushed before history existed) goes back
    to the newest kept record."""
    records = sorted(records, key=lambda record: record.sequence)
    current = next((record for record in reversed(records) if record.digest == current_digest), None)
    if current is None:
        return records[-1] if records else None
    earlier = [record for record in records if record.sequence < current.restores]
    return earlier[-1] if earlier else None


def state_digest(folder: Path) -> str:
    """What a record holds, without the push's timestamps: every file but amplify-meta.json, plus the function
    zips its amplify-meta.json names (the same src/ can build a different zip when requirements move)."""
    digest = hashlib.sha256()
    for path in sorted(Path(folder).rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and relative != "amplify-meta.json":
            digest.update(relative.encode() + b"\0" + path.read_bytes() + b"\0")
    zips = function_zip_keys(read_json(Path(folder) / "amplify-meta.json", {}) or {})
    digest.update(json.dumps(sorted(zips.items())).encode())
    return digest.hexdigest()[:16]


def function_zip_keys(meta: dict) -> dict[str, str]:
    """Function resource name -> the key of the zip its push deployed, from a record's amplify-meta.json."""
    return {name: entry["s3Bucket"]["s3Key"] for name, entry in meta.get("function", {}).items()
            if entry.get("s3Bucket", {}).get("s3Key")}


def kept_records(project: Project, env: str) -> list[KeptRecord]:
    """The env's kept records, oldest first."""
    keys = _list_keys(project, env, HISTORY_PREFIX)
    return sorted(filter(None, map(KeptRecord.from_key, keys)), key=lambda record: record.sequence)


def read_kept(project: Project, env: str, key: str) -> bytes:
    found = bucket_call(project, env, "get_object", missing=MISSING, key=key)
    if found is None:
        raise AmplifyNbError(f"{key} is no longer in env {env!r}'s deployment bucket ({env_bucket(project, env)}), "
                             "so that push cannot be brought back. Nothing was changed.")
    return found["Body"].read()


def record_meta(data: bytes) -> dict:
    """The amplify-meta.json inside a kept record's zip."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return json.loads(archive.read("amplify-meta.json")) if "amplify-meta.json" in archive.namelist() else {}


def build_key(function: Function) -> str:
    return f"{BUILDS_PREFIX}{function.name}-{base64.b64decode(function.code_sha256).hex()}-build.zip"


def keep_function_zips(project: Project, env: str, owners: dict) -> dict[tuple[str, str], dict]:
    """Upload each pushed function's zip under its content-hashed key (once); the `s3Bucket` entry of its
    amplify-meta.json, as Amplify writes it, names it."""
    kept: dict[tuple[str, str], dict] = {}
    for owner, models in owners.items():
        for model in models:
            if isinstance(model, Function) and model.zip_path and model.code_sha256:
                key = build_key(model)
                if bucket_call(project, env, "head_object", missing=MISSING, key=key) is None:
                    bucket_call(project, env, "put_object", key=key, Body=model.zip_bytes())
                kept[owner] = {"s3Bucket": {"deploymentBucketName": env_bucket(project, env), "s3Key": key}}
    return kept


def keep_pushed_record(project: Project, env: str, keep: int = KEEP_RECORDS) -> KeptRecord | None:
    """After env_records.save_record: keep the same record numbered, unless the newest kept one holds this very state
    (a resumed push recording again), then drop records beyond `keep` and the zips no kept record names."""
    folder = project.paths.current_cloud_backend
    body = record_archive(folder)
    if body is None:
        return None
    digest, records = state_digest(folder), kept_records(project, env)
    marker = pending_restore(project, env)
    restores = marker["sequence"] if marker and marker.get("digest") == digest else None
    newest = records[-1] if records else None
    if newest is not None and newest.digest == digest and restores in (None, newest.restores):
        kept = newest
    else:
        sequence = newest.sequence + 1 if newest else 1
        kept = KeptRecord(sequence, time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()), digest, restores or sequence)
        bucket_call(project, env, "put_object", key=kept.key, Body=body)
        records.append(kept)
    _prune(project, env, records, keep)
    if marker is not None:
        clear_restore(project)
    return kept


def _prune(project: Project, env: str, records: list[KeptRecord], keep: int) -> None:
    """Oldest records first, then every zip that no kept record names (a push killed before its record left one)."""
    dropped, kept = records[:-keep], records[-keep:]
    if not dropped:
        return
    _delete_keys(project, env, [record.key for record in dropped])
    named = {key for record in kept for key in function_zip_keys(record_meta(read_kept(project, env, record.key))).values()}
    _delete_keys(project, env, [key for key in _list_keys(project, env, BUILDS_PREFIX) if key not in named])


def _list_keys(project: Project, env: str, prefix: str) -> list[str]:
    keys, token = [], None
    while True:
        page = bucket_call(project, env, "list_objects_v2", key=None, Prefix=prefix,
                           **({"ContinuationToken": token} if token else {})) or {}
        keys += [item["Key"] for item in page.get("Contents", [])]
        token = page.get("NextContinuationToken")
        if not token:
            return keys


def _delete_keys(project: Project, env: str, keys: list[str]) -> None:
    for start in range(0, len(keys), 1000):  # DeleteObjects takes at most 1000 keys
        bucket_call(project, env, "delete_objects", key=None,
                    Delete={"Objects": [{"Key": key} for key in keys[start:start + 1000]], "Quiet": True})


# --- a rollback in progress -------------------------------------------------------------------------------------
def marker_path(project: Project) -> Path:
    return project.paths.config_dir / RESTORE_MARKER


def mark_restore(project: Project, env: str, record: KeptRecord) -> None:
    """Say, before amplify/backend is replaced, which record a rollback brings back: a rerun after a kill finishes
    that rollback, and the push that records it is kept as restoring that record."""
    atomic_write_json(marker_path(project), {"env": env, "key": record.key, "sequence": record.sequence,
                                             "digest": record.digest})


def pending_restore(project: Project, env: str) -> dict | None:
    marker = read_json(marker_path(project), None)
    return marker if marker and marker.get("env") == env else None


def clear_restore(project: Project) -> None:
    marker_path(project).unlink(missing_ok=True)
