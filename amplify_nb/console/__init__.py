"""The console: the Amplify console for this machine. Every project and env the local cloud holds (plus the
current project's envs on AWS or an endpoint), each env's resources with their cloud name, id/ARN, state and
endpoint, and a diagram of one env: `console()` in a notebook, `amplify-nb console` in a terminal.

Read-only towards the cloud: every call goes through `RemoteState`, which refuses anything but describe / list /
get / head. envs.py finds the envs, resources.py reads an env's resources, diagram.py draws them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import AmplifyNbError, InputError
from ..project import Project
from .diagram import DOT_MISSING, Diagram, DiagramUnavailable, env_diagram
from .envs import NOT_ON_THIS_MACHINE, ConsoleEnv, choose_env, console_envs, remember_project
from .resources import ResourceRow, env_resources


@dataclass
class ConsoleView:
    """What `console()` returns: the envs, the chosen env's resources and its diagram. Shown in a notebook as
    tables with clickable links and the diagram inline; `text()` for a terminal, `as_dict()` for scripts."""

    envs: list[ConsoleEnv]
    env: ConsoleEnv | None
    resources: list[ResourceRow]
    diagram: Diagram | None
    notes: list[str] = field(default_factory=list)
    drawn: tuple[str | None, str | None] | None = field(default=None, repr=False)  # see ConsoleView.rendered()

    def rendered(self) -> tuple[str | None, str | None]:
        """(svg, note): the diagram's SVG, or why there is none; drawn once per view (a notebook asks for the HTML
        and the text form of one output)."""
        if self.diagram is None:
            return None, None
        if self.drawn is None:
            try:
                self.drawn = (self.diagram.svg(), None)
            except DiagramUnavailable as exc:
                self.drawn = (None, str(exc))
        return self.drawn

    def envs_table(self):
        from ..views import console_envs_table

        return console_envs_table(self.envs)

    def resources_table(self):
        from ..views import console_resources_table

        return console_resources_table(self.resources, self.env)

    def as_dict(self) -> dict:
        return {"envs": [env.as_dict() for env in self.envs],
                "env": None if self.env is None else {**self.env.as_dict(),
                                                      "resources": [row.as_dict() for row in self.resources]},
                "diagram": None if self.diagram is None else self.diagram.as_dict(), "notes": self.notes}

    def text(self) -> str:
        from ..views import console_text

        return console_text(self)

    def _repr_html_(self) -> str:
        from ..views import console_html

        return console_html(self)

    def __repr__(self) -> str:
        return self.text()


def console(project_dir: str | Path | None = None, env: str | None = None) -> ConsoleView:
    """The console for this machine: opened in a project (project_dir, or the current folder's), its envs and
    every other env on the local cloud; `env` (ENV or PROJECT/ENV) picks the env detailed below the table
    (default: the current env)."""
    project = open_project(project_dir)
    if project is not None:
        remember_project(project)
    envs = console_envs(project)
    chosen = choose_env(envs, env, project)
    notes: list[str] = []
    rows: list[ResourceRow] = []
    diagram = None
    if chosen is not None:
        target = chosen.target_object(project)
        try:
            rows = env_resources(chosen, target)
            diagram = env_diagram(chosen, rows, target)
        except AmplifyNbError as exc:  # an AWS env without credentials: the envs table is still worth showing
            notes.append(f"The resources of {chosen.key} could not be read from {chosen.target}: {exc}")
    elif not envs:
        notes.append("No Amplify project on the local cloud yet: run `amplify-nb init` in a project folder.")
    return ConsoleView(envs, chosen, rows, diagram, notes)


def open_project(project_dir: str | Path | None) -> Project | None:
    """The project the console is opened in, or None when the folder holds none (every project is still shown)."""
    try:
        return Project.open(project_dir or Path.cwd())
    except AmplifyNbError:
        if project_dir is not None and not Path(project_dir).is_dir():
            raise InputError(f"No folder {project_dir}: give an existing project folder (or none).")
        return None


__all__ = ["DOT_MISSING", "NOT_ON_THIS_MACHINE", "ConsoleEnv", "ConsoleView", "Diagram", "DiagramUnavailable",
           "ResourceRow", "console", "console_envs", "env_diagram", "env_resources", "remember_project"]
