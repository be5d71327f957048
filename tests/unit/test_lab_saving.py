"""Running and saving the tutorial notebooks in JupyterLab leaves `git status` clean, and its terminals find
`amplify-nb`."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from amplify_nb import lab

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb"))


def as_run_in_jupyterlab(notebook):
    """What a kernel run and JupyterLab's save add: outputs, counts, fresh cell ids, run and widget metadata."""
    for number, cell in enumerate(notebook.cells):
        cell.id = f"4f1c{number:04d}-aaaa-bbbb-cccc-0123456789ab"
        if cell.cell_type == "code":
            cell.execution_count = number + 1
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="Push complete: 7 cloud calls.\n"),
                            nbformat.v4.new_output("display_data", data={"text/plain": "<table>"})]
            cell.metadata["execution"] = {"iopub.execute_input": "2026-12-01T13:00:00Z"}
            cell.metadata["papermill"] = {"duration": 0.5, "status": "completed"}
    notebook.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    notebook.metadata["papermill"] = {"parameters": {"env_name": "dev"}}
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return notebook


@pytest.fixture
def clone(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    target = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(target)], check=True)
    for name in NOTEBOOKS:  # the working copies under test, committed as in this checkout
        shutil.copy(REPO / "notebooks" / name, target / "notebooks" / name)
    shutil.copy(REPO / ".gitattributes", target / ".gitattributes")
    subprocess.run(["git", "-C", str(target), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(target), "-c", "user.email=t@example.com", "-c", "user.name=t", "commit",
                    "-q", "--allow-empty", "-m", "as checked out"], check=True)
    return target


def git_status(repo: Path) -> str:
    return subprocess.run(["git", "-C", str(repo), "status", "--porcelain"], capture_output=True, text=True,
                          check=True).stdout


def test_committed_notebooks_are_already_stripped():
    for name in NOTEBOOKS:
        notebook = nbformat.read(REPO / "notebooks" / name, as_version=4)
        assert nbformat.writes(lab.strip_notebook(nbformat.read(REPO / "notebooks" / name, as_version=4))) == \
            nbformat.writes(notebook), f"{name} is committed with outputs or run metadata: python -m amplify_nb.lab strip"


def test_saving_every_run_notebook_through_jupyterlab_leaves_git_status_clean(clone):
    from jupyter_server.services.contents.filemanager import FileContentsManager

    manager = FileContentsManager(root_dir=str(clone / "notebooks"))
    manager.pre_save_hook = lab.strip_on_save
    for name in NOTEBOOKS:
        notebook = as_run_in_jupyterlab(nbformat.read(clone / "notebooks" / name, as_version=4))
        manager.save({"type": "notebook", "format": "json", "content": notebook}, name)
    assert git_status(clone) == ""


def test_a_trainees_own_notebook_keeps_its_outputs(tmp_path):
    from jupyter_server.services.contents.filemanager import FileContentsManager

    manager = FileContentsManager(root_dir=str(tmp_path))
    manager.pre_save_hook = lab.strip_on_save
    notebook = as_run_in_jupyterlab(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]))
    manager.save({"type": "notebook", "format": "json", "content": notebook}, "my-experiments.ipynb")
    assert nbformat.read(tmp_path / "my-experiments.ipynb", as_version=4).cells[0].outputs


def test_the_git_filter_strips_notebooks_written_another_way(clone):
    assert lab.install_git_filter(clone)
    path = clone / "notebooks" / NOTEBOOKS[0]
    nbformat.write(as_run_in_jupyterlab(nbformat.read(path, as_version=4)), path)
    diff = subprocess.run(["git", "-C", str(clone), "diff", "--stat", "--", str(path)], capture_output=True, text=True, check=True)
    assert diff.stdout == ""  # the content git would commit is unchanged


def test_jupyterlab_terminals_find_amplify_nb(monkeypatch):
    from traitlets.config import Config

    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    config = Config()
    lab.configure(config)
    assert config.FileContentsManager.pre_save_hook is lab.strip_on_save
    bin_dir = Path(sys.executable).parent
    assert os.environ["PATH"].split(os.pathsep)[0] == str(bin_dir)
    assert shutil.which("amplify-nb", path=os.environ["PATH"]) == str(bin_dir / "amplify-nb")
