"""init: Amplify's `amplify init` questions, defaults and validation rules."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import Problem
from .base import Spec, answer, check_choice, check_pattern, context
from .configure import BudgetAnswers, budget_amount_question, budget_email_question, budget_question

EDITORS = (
    ("vscode", "Visual Studio Code"), ("androidstudio", "Android Studio"), ("xcode", "Xcode (macOS only)"),
    ("atom", "Atom Editor"), ("sublime", "Sublime Text"), ("intellij", "IntelliJ IDEA"), ("vim", "Vim (via Terminal, macOS only)"),
    ("emacs", "Emacs (via Terminal, macOS only)"), ("none", "None"),
)
APP_TYPES = ("android", "flutter", "ios", "javascript")
# framework -> (SourceDir, DistributionDir, BuildCommand, StartCommand), Amplify's javascript defaults.
FRAMEWORK_DEFAULTS = {
    "angular": ("src", "dist", "npm run-script build", "ng serve"),
    "ember": ("src", "dist", "npm run-script build -- -e production", "npm run-script start"),
    "ionic": ("src", "www", "npm run-script build", "npm run-script start"),
    "react": ("src", "build", "npm run-script build", "npm run-script start"),
    "react-native": (".", ".", "npm run-script build", "npm run-script start"),
    "vue": ("src", "dist", "npm run-script build", "npm run-script serve"),
    "none": ("src", "dist", "npm run-script build", "npm run-script start"),
}

PROJECT_NAME_MESSAGE = "Project name should be between 3 and 20 characters and alphanumeric"
ENV_NAME_MESSAGE = "Environment name must be between 2 and 10 characters, and lowercase only."


def default_project_name(project_dir: Path) -> str:
    """Amplify's default: the folder name with every non-alphanumeric character removed (cut to 20)."""
    return re.sub(r"[^a-zA-Z0-9]", "", Path(project_dir).resolve().name)[:20]


@dataclass
class InitSpec(Spec, BudgetAnswers):
    flow = "init"

    name: str = answer("", "Enter a name for the project",
                       help="Identifies the project; later steps suggest resource names from it. 3-20 letters or digits.")
    env: str = answer("dev", "Enter a name for the environment",
                      help="You can have several environments (dev, test, prod...). The name is appended to the names "
                           "of the resources made for it. 2-10 lowercase letters.")
    editor: str = answer("vscode", "Choose your default editor", choices=EDITORS,
                         help="The editor amplify_nb names when it points you to a generated file.")
    app_type: str = answer("javascript", "Choose the type of app that you're building", choices=APP_TYPES,
                           help="The tutorial builds a JavaScript web app; the generated config is aws-exports.js.")
    framework: str = answer("none", "What javascript framework are you using", choices=tuple(FRAMEWORK_DEFAULTS),
                            help="Sets the default source and build folders. The sample app needs no framework.")
    source_dir: str = answer("src", "Source Directory Path",
                             help="Where your app's code lives. amplify_nb writes aws-exports.js here.")
    distribution_dir: str = answer("dist", "Distribution Directory Path",
                                   help="Where the build puts the finished app; publish uploads this folder.")
    build_command: str = answer("npm run-script build", "Build Command", help="Builds the app into the distribution folder.")
    start_command: str = answer("npm run-script start", "Start Command", help="Runs the app locally.")
    # Asked only when the env deploys to an AWS account (configure chose it): the seed's advice for production.
    budget: bool = budget_question()
    budget_amount: int = budget_amount_question()
    budget_email: str = budget_email_question()
    target_kind: str = context("local")  # the env's target kind (local | aws | endpoint), from local-aws-info.json

    def offers_budget(self) -> bool:
        return self.target_kind == "aws"

    @classmethod
    def for_project(cls, project_dir: Path, answers: dict | None = None, target_kind: str = "local") -> "InitSpec":
        """Amplify's defaults for this folder; the framework's folders and commands unless answered.
        target_kind: where the env deploys (the budget questions apply to an AWS account only)."""
        answers = dict(answers or {})
        framework = answers.get("framework") or "none"
        source, dist, build, start = FRAMEWORK_DEFAULTS.get(framework, FRAMEWORK_DEFAULTS["none"])
        return cls.from_answers(answers, name=default_project_name(project_dir), source_dir=source,
                                distribution_dir=dist, build_command=build, start_command=start,
                                target_kind=target_kind)

    def problems(self) -> list[Problem]:
        found = []
        name_ok = isinstance(self.name, str) and 3 <= len(self.name) <= 20
        found += check_pattern("name", self.name if name_ok else "", r"[a-zA-Z0-9]+", PROJECT_NAME_MESSAGE)
        found += check_pattern("env", self.env, r"[a-z]{2,10}", ENV_NAME_MESSAGE)
        found += check_choice(self, "editor", "Editor")
        found += check_choice(self, "app_type", "App type")
        if self.app_type in APP_TYPES and self.app_type != "javascript":
            found.append(Problem("app_type", "amplify_nb builds web apps: choose javascript (android, flutter and ios "
                                             "projects need their own toolchains)."))
        found += check_choice(self, "framework", "Framework")
        for field_name, label in (("source_dir", "Source directory path"), ("distribution_dir", "Distribution directory path")):
            found += _relative_dir_problems(field_name, label, getattr(self, field_name))
        for field_name, label in (("build_command", "Build command"), ("start_command", "Start command")):
            value = getattr(self, field_name)
            if not isinstance(value, str) or not value.strip() or "\n" in value:
                found.append(Problem(field_name, f"{label} must be a single non-empty command line."))
        return found + self.budget_problems()


def _relative_dir_problems(field_name: str, label: str, value: object) -> list[Problem]:
    message = f"{label} must be a folder inside the project, written relative to it (e.g. src), not {value!r}."
    if not isinstance(value, str) or not value.strip():
        return [Problem(field_name, message)]
    path = PurePosixPath(value.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or re.search(r"[\x00-\x1f:*?\"<>|]", value):
        return [Problem(field_name, message)]
    return []
