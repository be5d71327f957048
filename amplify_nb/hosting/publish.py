"""publish: push if needed, build the app, upload what changed to the hosting bucket, optionally invalidate
CloudFront's cache (Amplify's `amplify publish [-c]`)."""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import botocore.exceptions

from ..errors import AmplifyNbError, CloudError
from .upload import SyncPlan, delete_objects, local_files, plan_sync, remote_objects, upload_files

BUILD_TIMEOUT_SECONDS = 30 * 60
_OUTPUT_TAIL_LINES = 30


@dataclass
class BuildResult:
    command: str
    seconds: float
    output: str


LISTED_FILES = 50  # the files a publish's text names; a bigger site's are counted


@dataclass
class PublishResult:
    url: str
    bucket: str
    distribution_id: str | None
    pushed_calls: list[str]
    build: BuildResult | None
    sync: SyncPlan
    seconds: float
    invalidation: dict | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def uploaded(self) -> list[str]:
        return [c.key for c in self.sync.uploads]

    @property
    def deleted(self) -> list[str]:
        return [c.key for c in self.sync.deletes]

    @property
    def unchanged(self) -> list[str]:
        return [c.key for c in self.sync.unchanged]

    def counts(self) -> list[tuple[str, int, int]]:
        """(uploaded | deleted | unchanged, files, bytes)."""
        return [(name, len(group), sum(c.size for c in group))
                for name, group in (("uploaded", self.sync.uploads), ("deleted", self.sync.deletes),
                                    ("unchanged", self.sync.unchanged))]

    def summary(self):
        """Uploaded / deleted / unchanged: how many files and bytes, as a table."""
        import pandas as pd

        return pd.DataFrame(self.counts(), columns=["files", "count", "bytes"]).set_index("files")

    def files(self):
        """One row per file: what publish did with it and the headers it was given."""
        import pandas as pd

        return pd.DataFrame([c.__dict__ for c in self.sync.changes],
                            columns=["key", "action", "reason", "size", "content_type", "cache_control"])

    def text(self) -> str:
        lines = ["", "  files      count       bytes"]
        for name, count, size in self.counts():
            lines.append(f"  {name:<9} {count:>6} {size:>11,}")
        lines.append("")
        changed = self.sync.uploads + self.sync.deletes
        lines += [f"  {change.action:<8} {change.key}" for change in changed[:LISTED_FILES]]
        if len(changed) > LISTED_FILES:
            lines.append(f"  ... and {len(changed) - LISTED_FILES} more files")
        if self.invalidation:
            lines.append(f"CloudFront invalidation {self.invalidation['Id']} of /* ({self.invalidation['Status']}).")
        lines += self.notes
        lines.append(f"Your app is published successfully ({self.seconds:.1f} s).")
        lines.append(self.url)
        return "\n".join(lines)


def run_build(project, timeout: float = BUILD_TIMEOUT_SECONDS) -> BuildResult:
    """Run the project's BuildCommand in the project folder (this Python's folder first on PATH)."""
    command = project.frontend_config.get("BuildCommand", "").strip()
    if not command:
        raise AmplifyNbError("The project has no BuildCommand (amplify/.config/project-config.json).")
    environment = dict(os.environ)
    environment["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), environment.get("PATH", "")])
    started = time.monotonic()
    try:
        done = subprocess.run(command, shell=True, cwd=project.root, env=environment, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        raise AmplifyNbError(f"The build command `{command}` did not finish within {timeout:.0f} s.") from None
    output = (done.stdout or "") + (done.stderr or "")
    if done.returncode != 0:
        tail = "\n".join(output.strip().splitlines()[-_OUTPUT_TAIL_LINES:])
        hint = ""
        if done.returncode == 127:
            hint = ("\nThe command is missing on this machine. The sample app needs no Node toolchain: "
                    f"`{shlex.quote(sys.executable)} -m amplify_nb.sample_app install` sets its build command.")
        raise AmplifyNbError(f"The build command `{command}` failed (exit code {done.returncode}):\n{tail}{hint}")
    return BuildResult(command, time.monotonic() - started, output)


def hosting_output(project) -> dict:
    entries = project.amplify_meta().get("hosting", {})
    if not entries:
        raise AmplifyNbError("This project has no hosting yet: add it first (`amplify-nb add hosting`), "
                             "then publish.")
    output = next(iter(entries.values())).get("output", {})
    if not output.get("HostingBucketName"):
        raise AmplifyNbError("Hosting has not been pushed yet: the push before the upload did not create it.")
    return output


def publish(project, invalidate: bool = False, progress: bool = True, build: bool = True,
            push_first: bool = True, planned=None) -> PublishResult:
    """Push if the backend changed, build, upload only what changed, delete what disappeared.

    `planned` is a push plan just shown to the user under the project lock (else push plans again).
    """
    from ..categories import category
    from ..project import push

    started = time.monotonic()
    with project.lock():
        if "hosting" not in project.backend_config():
            raise AmplifyNbError("This project has no hosting: add it first (`amplify-nb add hosting`, or "
                                 "notebook 02-hosting), then publish.")
        pushed = push(project, progress=progress, planned=planned).calls_made if push_first else []
        output = hosting_output(project)
        spec = category("hosting").read_spec(project, next(iter(project.backend_config()["hosting"])))
        build_result = run_build(project) if build else None
        folder = project.root / project.frontend_config.get("DistributionDir", "dist")
        if not folder.is_dir() or not any(folder.iterdir()):
            raise AmplifyNbError(f"Nothing to publish: the distribution folder {folder} is missing or empty "
                                 "after the build.")
        try:
            return _upload(project, output, spec, folder, pushed, build_result, invalidate, progress, started)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            raise CloudError(f"Publishing to the hosting bucket failed: {exc}. Publish again to continue "
                             "(files already uploaded are not sent twice).") from exc


def _upload(project, output: dict, spec, folder: Path, pushed: list[str], build_result: BuildResult | None,
            invalidate: bool, progress: bool, started: float) -> PublishResult:
    target = project.target()
    client = target.client("s3")
    bucket = output["HostingBucketName"]
    sync = plan_sync(local_files(folder), remote_objects(client, bucket), index_doc=spec.index_doc)
    bar = _bar(len(sync.uploads), progress)
    try:
        upload_files(client, bucket, folder, sync.uploads, index_doc=spec.index_doc,
                     on_done=(lambda key: bar.update(1)) if bar else None, open_manager=target.transfer_manager)
    finally:
        if bar is not None:
            bar.close()
    delete_objects(client, bucket, [change.key for change in sync.deletes])  # after the new index is live
    result = PublishResult(url=output.get("CloudFrontSecureURL") or output.get("WebsiteURL", ""), bucket=bucket,
                           distribution_id=output.get("CloudFrontDistributionID"), pushed_calls=pushed,
                           build=build_result, sync=sync, seconds=0.0)
    if invalidate:
        if result.distribution_id:
            result.invalidation = create_invalidation(target, result.distribution_id)
        else:
            result.notes.append("No CloudFront distribution (DEV hosting): there is no cache to invalidate.")
    result.seconds = time.monotonic() - started
    return result


def create_invalidation(target, distribution_id: str) -> dict:
    """Invalidate every path (one wildcard path counts once against CloudFront's quota)."""
    reference = f"amplify-nb-{time.time_ns()}"
    response = target.client("cloudfront").create_invalidation(
        DistributionId=distribution_id,
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": reference})
    return {"Id": response["Invalidation"]["Id"], "Status": response["Invalidation"]["Status"]}


def _bar(total: int, enabled: bool):
    if not enabled or not total:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="file", desc="upload", leave=True)
