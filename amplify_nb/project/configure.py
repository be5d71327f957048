"""configure: choose the target (local cloud, AWS profile, endpoint) for an env, checked with STS."""
from __future__ import annotations

from pathlib import Path

from ..fileio import read_json
from ..specs import ConfigureSpec
from .project import Project


def configure_project(project_dir: Path | str, spec: ConfigureSpec, env: str | None = None) -> dict:
    """Store the target for `env` (the current env, or dev before init) in amplify/.config/local-aws-info.json.

    Only the profile's name is stored: keys stay in ~/.aws, the local cloud's are dummies.
    """
    spec.check()
    target = spec.to_target()
    identity = target.identity  # refuses an unreachable target before anything is written
    project = Project(project_dir)
    env = env or (read_json(project.paths.local_env_info, {}) or {}).get("envName") or "dev"
    info = read_json(project.paths.local_aws_info, {})
    info[env] = target.to_aws_info()
    project.write_json(project.paths.local_aws_info, info)
    return {"env": env, "target": target.describe(), "account": identity["Account"], "arn": identity["Arn"],
            "endpoint": target.endpoint() or f"https://*.{target.region}.amazonaws.com", "warnings": target.warnings()}
