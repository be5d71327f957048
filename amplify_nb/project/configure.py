"""configure: choose the target (local cloud, AWS profile, endpoint) for an env, checked with STS."""
from __future__ import annotations

from pathlib import Path

from ..deploy.models import Budget
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
    env = env or _env_to_configure(project)
    info = read_json(project.paths.local_aws_info, {})
    budget = _budget_to_store(spec.budget_setting(), (info.get(env) or {}).get("budget"))
    info[env] = target.to_aws_info() | ({} if budget is None else {"budget": budget})
    project.write_json(project.paths.local_aws_info, info)
    return {"env": env, "target": target.describe(), "account": identity["Account"], "arn": identity["Arn"],
            "endpoint": target.endpoint() or f"https://*.{target.region}.amazonaws.com", "warnings": target.warnings(),
            "budget": budget}


def store_budget(project: Project, env: str, answer: dict | bool | None) -> dict | bool | None:
    """Keep an env's budget answer (init's) in its local-aws-info.json entry, as configure does."""
    info = read_json(project.paths.local_aws_info, {})
    entry = dict(info.get(env) or {})
    budget = _budget_to_store(answer, entry.get("budget"))
    entry.pop("budget", None)
    info[env] = entry | ({} if budget is None else {"budget": budget})
    project.write_json(project.paths.local_aws_info, info)
    return budget


def _env_to_configure(project: Project) -> str:
    return (read_json(project.paths.local_env_info, {}) or {}).get("envName") or "dev"


def stored_budget_answers(project_dir: Path | str, env: str | None = None) -> dict:
    """The env's budget as configure answers, for the front-ends to use as defaults: configuring again (a new
    region, `--yes`) keeps the budget instead of deleting it, unless the budget question is answered no."""
    project = Project(project_dir)
    stored = (read_json(project.paths.local_aws_info, {}).get(env or _env_to_configure(project)) or {}).get("budget")
    if isinstance(stored, dict):
        return {"budget": True, "budget_amount": stored.get("amount", 10), "budget_email": stored.get("email", "")}
    return {}


def _budget_to_store(answer: dict | bool | None, stored: dict | bool | None) -> dict | bool | None:
    """A new budget's settings; False when an env that had one says no (the next push deletes it) or keeps saying
    no; None (nothing stored, nothing planned) when no budget was ever asked for, so a push never needs Budgets
    permissions for it, or when the env leaves AWS."""
    if answer is None:  # not an AWS target: there is no account to keep a budget in
        return None
    if answer is False:
        return False if stored is not None else None
    return answer


def budget_name(stack_name: str) -> str:
    return f"{stack_name}-monthly"


def budget_resources(project: Project, env: str, stack_name: str) -> list[Budget]:
    """The env's budget model: only on an AWS target whose configure answered the budget question."""
    target = project.target(env)
    stored = (read_json(project.paths.local_aws_info, {}).get(env) or {}).get("budget")
    if target.kind != "aws" or stored is None:
        return []
    if stored is False:
        return [Budget(budget_name(stack_name), wanted=False)]
    return [Budget(budget_name(stack_name), amount=int(stored["amount"]), email=str(stored["email"]))]
