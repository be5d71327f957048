"""init: write Amplify's project files, then create the env's root resources with the push engine.

The files come first (with the env's stack name), so a killed init run again reuses the same names and the
push engine finishes whatever is missing.
"""
from __future__ import annotations

from pathlib import Path

from ..aws import Target
from ..categories.root import new_stack_name
from ..errors import InputError, Problem
from ..fileio import atomic_write_text, read_json
from ..specs import InitSpec
from .paths import GITIGNORE_ENTRIES
from .project import Project
from ..deploy import Plan
from .configure import store_budget
from .env_records import is_initialized, switch_env
from .push import PushResult, push

PROJECT_CONFIG_VERSION = "3.1"


def init_project(project_dir: Path | str, spec: InitSpec, progress: bool = True) -> tuple[Project, PushResult]:
    """A new project: write Amplify's files, then push the env's root resources.

    In a folder that already holds a project, init works as Amplify's does: it selects `spec.env` if the project
    has it, or adds it as a new env with root resources of its own; project-config.json, every category's files
    and every other env's resources are left alone.
    """
    spec.check()
    project = Project(project_dir)
    existing = project.project_config
    if existing and existing.get("projectName") != spec.name:
        raise InputError([Problem("name", f"This folder already holds the Amplify project {existing['projectName']!r}; "
                                          "keep that name (or use another folder).")])
    if existing and project.paths.local_env_info.exists():
        return project, init_env(project, spec.env, progress=progress)
    target = project.target(spec.env)
    target.validate()
    target.identity  # fails early, before any file is written, when the cloud cannot be reached
    project.root.mkdir(parents=True, exist_ok=True)
    with project.lock():
        write_project_files(project, spec, target)
        if target.kind == "aws" and spec.offers_budget():
            store_budget(project, spec.env, spec.budget_setting())  # made by the root push below
        return project, push(project, progress=progress, root_only=True)


def init_env(project: Project, env: str, progress: bool = True) -> PushResult:
    """Select env (it exists) or add it (new: its own stack name, then a root-only push); make it current."""
    problems = InitSpec.from_answers({"name": project.name, "env": env}).problems()
    if any(problem.field == "env" for problem in problems):
        raise InputError([problem for problem in problems if problem.field == "env"])
    target = project.target(env)
    target.validate()
    target.identity
    with project.lock():
        add_env_entries(project, env, target)
        switch_env(project, env)
        if is_initialized(project, env) and not project.paths.push_journal.exists():
            return PushResult(plan=Plan())
        return push(project, progress=progress, root_only=True)


def add_env_entries(project: Project, env: str, target: Target) -> None:
    """The env's target (local-aws-info.json) and its stack name (team-provider-info.json), each chosen once."""
    paths = project.paths
    aws_info = read_json(paths.local_aws_info, {})
    if env not in aws_info:
        aws_info[env] = target.to_aws_info()
        project.write_json(paths.local_aws_info, aws_info)
    team = read_json(paths.team_provider_info, {})
    env_entry = team.setdefault(env, {})
    awscf = env_entry.setdefault("awscloudformation", {})
    if not awscf.get("StackName"):
        awscf.update(Region=target.region, StackName=new_stack_name(project.name, env))
        env_entry.setdefault("categories", {})
        project.write_json(paths.team_provider_info, team)


def write_project_files(project: Project, spec: InitSpec, target: Target) -> None:
    paths = project.paths
    project.write_json(paths.project_config, {
        "projectName": spec.name,
        "version": PROJECT_CONFIG_VERSION,
        "frontend": spec.app_type,
        spec.app_type: {
            "framework": spec.framework,
            "config": {
                "SourceDir": spec.source_dir,
                "DistributionDir": spec.distribution_dir,
                "BuildCommand": spec.build_command,
                "StartCommand": spec.start_command,
            },
        },
        "providers": ["awscloudformation"],
    })
    project.write_json(paths.local_env_info, {
        "projectPath": str(project.root), "defaultEditor": spec.editor, "envName": spec.env})
    add_env_entries(project, spec.env, target)
    if not paths.backend_config.exists():
        project.write_json(paths.backend_config, {})
    if not paths.amplify_meta.exists():
        project.write_json(paths.amplify_meta, {"providers": {"awscloudformation": dict(project.env_info(spec.env)["awscloudformation"])}})
    (project.root / spec.source_dir).mkdir(parents=True, exist_ok=True)
    add_gitignore_entries(paths.gitignore)


def add_gitignore_entries(gitignore: Path) -> None:
    """Append Amplify's entries that are missing, leaving the user's own lines alone."""
    lines = gitignore.read_text().splitlines() if gitignore.exists() else []
    missing = [entry for entry in GITIGNORE_ENTRIES if entry not in lines]
    if missing:
        block = (["", "#amplify-do-not-edit-begin"] if lines else ["#amplify-do-not-edit-begin"]) + missing + ["#amplify-do-not-edit-end"]
        atomic_write_text(gitignore, "\n".join(lines + block) + "\n")
