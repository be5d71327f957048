"""export cloudformation: one CloudFormation template per env, for teams that deploy the backend with their own
pipeline. The templates are written from the same desired models push plans (push.desired_resources), checked
with cfn-lint, and come with the functions' build zips laid out under the S3 keys the templates name.
"""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..deploy.cloudformation import EnvNames, Template, template_for
from ..errors import InputError, Problem
from ..fileio import atomic_write_json
from .env_records import env_names, stack_name
from .project import Project
from .desired import deploy_context, desired_resources

DEFAULT_OUT = Path("export") / "cloudformation"


@dataclass
class ExportedTemplate:
    env: str
    path: Path
    template: Template
    lint: list[str] = field(default_factory=list)  # cfn-lint's findings, "RULE path: message" (none expected)
    artifacts_dir: Path | None = None
    linted: bool = True

    @property
    def resource_count(self) -> int:
        return len(self.template.body["Resources"])

    def summary(self) -> str:
        checked = ("cfn-lint: no findings" if not self.lint else f"cfn-lint: {len(self.lint)} finding(s)") if self.linted \
            else "not checked with cfn-lint"
        lines = [f"{self.env}: {self.path} ({self.resource_count} resources, {checked})"]
        lines += [f"  cfn-lint {finding}" for finding in self.lint]
        lines += [f"  not exported: {item['model']}: {item['reason']}" for item in self.template.not_exported]
        for artifact in self.template.artifacts:
            lines.append(f"  upload {self.artifacts_dir / artifact['key']} to s3://<FunctionCodeBucket>/{artifact['key']} "
                         f"(parameter {artifact['parameter']})")
        return "\n".join(lines)


def export_cloudformation(project: Project, env: str | None = None, out_dir: Path | str | None = None,
                          lint: bool = True) -> list[ExportedTemplate]:
    """Write `<out>/<project>-<env>.template.json` for `env` (default: every initialized env), plus
    `<out>/<project>-<env>-artifacts/<S3 key>` for each function's build. Nothing is deployed or changed in the
    cloud; building a function whose src/ changed is the only side effect, as for `push --plan`."""
    envs = [name for name in env_names(project) if stack_name(project, name)]
    if env is not None and env not in envs:
        raise InputError([Problem("env", f"The project has no initialized env {env!r} "
                                         f"(it has: {', '.join(envs) or 'none'}).")])
    out = Path(out_dir) if out_dir is not None else project.root / DEFAULT_OUT
    if out.exists() and not out.is_dir():
        raise InputError([Problem("out", f"{out} is a file; --out needs a folder.")])
    return [export_env(project, name, out, lint) for name in ([env] if env else envs)]


def export_env(project: Project, env: str, out: Path, lint: bool = True) -> ExportedTemplate:
    ctx = deploy_context(project, env)
    desired, _ = desired_resources(project, ctx)
    names = EnvNames(env=env, stack_name=ctx.stack_name, project_name=project.name, region=ctx.target.region,
                     account=ctx.target.account_id)
    template = template_for(desired, names)
    path = out / f"{project.name}-{env}.template.json"
    atomic_write_json(path, template.body)
    artifacts_dir = out / f"{project.name}-{env}-artifacts"
    for artifact in template.artifacts:
        destination = artifacts_dir / artifact["key"]
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(artifact["zip"], destination)
    return ExportedTemplate(env, path, template, lint_template(template.body, ctx.target.region) if lint else [],
                            artifacts_dir, linted=lint)


def lint_template(body: dict, region: str) -> list[str]:
    """cfn-lint's findings for the template (errors, warnings and informational), one line each."""
    from cfnlint.api import ManualArgs, lint

    matches = lint(json.dumps(body), config=ManualArgs(regions=[region]))
    return [f"{match.rule.id} {'/'.join(str(part) for part in match.path)}: {match.message}" for match in matches]
