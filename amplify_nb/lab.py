"""JupyterLab for the tutorial: the tracked notebooks stay clean whatever a trainee runs, and the terminals can run
`amplify-nb`.

`make lab` starts JupyterLab with jupyter_server_config.py, which calls `configure(c)`. A notebook of the tutorial
is saved without its outputs, execution counts and run metadata (the open notebook keeps showing them), so `git
status` stays clean and a later `git pull` never conflicts on outputs. A git clean filter alone is not enough: git
trusts a changed file size and reports the notebook modified without running the filter. The filter is still
installed (`python -m amplify_nb.lab install-git-filter`, run by `make install`) for notebooks written some other
way (`jupyter nbconvert --inplace`), with the same keys.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from nbstripout import strip_output

# What running or saving a notebook adds that is not the tutorial: nbstripout's own defaults, the kernel's version,
# papermill's timings and parameters, the widgets' state.
STRIPPED_KEYS = (
    "metadata.signature", "metadata.widgets", "metadata.language_info", "metadata.papermill",
    "metadata.varInspector", "metadata.toc", "metadata.vscode",
    "cell.metadata.collapsed", "cell.metadata.ExecuteTime", "cell.metadata.execution", "cell.metadata.heading_collapsed",
    "cell.metadata.hidden", "cell.metadata.scrolled", "cell.metadata.papermill", "cell.metadata.jupyter",
)
# The notebooks the repository ships; a trainee's own notebooks keep their outputs.
TUTORIAL_NOTEBOOK = re.compile(r"^(\d\d-[\w-]+|setup-environment)\.ipynb$")


def strip_notebook(notebook):
    """The notebook as it is committed: no outputs or counts, sequential cell ids, none of STRIPPED_KEYS."""
    return strip_output(notebook, keep_output=False, keep_count=False, keep_id=False, extra_keys=list(STRIPPED_KEYS))


def is_tutorial_notebook(path: str | os.PathLike) -> bool:
    return bool(TUTORIAL_NOTEBOOK.match(Path(path).name))


def strip_on_save(model: dict, path: str, contents_manager=None, **kwargs) -> None:
    """Jupyter Server's pre-save hook: a tutorial notebook is written as committed."""
    if model.get("type") == "notebook" and model.get("content") is not None and is_tutorial_notebook(path):
        import nbformat

        model["content"] = strip_notebook(nbformat.from_dict(model["content"]))


def configure(c) -> None:
    """Settings for jupyter_server_config.py: strip the tutorial's notebooks on save, and put this Python's
    environment (where `amplify-nb` is installed) first on the PATH of the server and so of its terminals."""
    c.FileContentsManager.pre_save_hook = strip_on_save
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def install_git_filter(repository: str | os.PathLike = ".") -> bool:
    """Configure the `nbstripout` filter named by .gitattributes in this clone (False outside a git clone)."""
    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", "-C", str(repository), *args], capture_output=True, text=True)

    top = git("rev-parse", "--show-toplevel")
    if top.returncode != 0:
        return False
    # Worktrees of one clone share its config: a venv inside the worktree is named relative to the worktree's top
    # (where git runs filters), so each worktree's filter runs its own venv.
    executable = Path(sys.executable).absolute()
    inside = Path(top.stdout.strip()) in executable.parents
    python = f"'{executable.relative_to(top.stdout.strip()) if inside else executable}' -m nbstripout"
    git("config", "filter.nbstripout.clean", python)
    git("config", "filter.nbstripout.smudge", "cat")
    git("config", "filter.nbstripout.extrakeys", " ".join(STRIPPED_KEYS))
    git("config", "diff.ipynb.textconv", f"{python} -t")
    return True


def main(argv: list[str]) -> int:
    if argv == ["install-git-filter"]:
        print("git filter nbstripout: " + ("installed" if install_git_filter() else "skipped (not a git clone)"))
        return 0
    if argv[:1] == ["strip"] and argv[1:]:
        import nbformat

        for name in argv[1:]:
            nbformat.write(strip_notebook(nbformat.read(name, as_version=4)), name)
        return 0
    print("usage: python -m amplify_nb.lab install-git-filter | strip NOTEBOOK...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
