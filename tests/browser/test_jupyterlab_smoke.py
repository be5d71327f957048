"""JupyterLab, as `make lab` starts it, shows the tutorial and runs notebooks with widgets in Chromium."""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "notebooks"
WIDGET_LABEL = "Hello from an ipywidgets Label"


def numbered_notebooks(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.glob("[0-9][0-9]-*.ipynb"))


def write_notebook(path: Path, *sources: str) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(notebook, path)


@pytest.fixture(scope="module")
def scratch_lab(start_jupyter_lab, tmp_path_factory):
    """A JupyterLab on a throwaway folder, for notebooks the tests write themselves (never into notebooks/)."""
    root = tmp_path_factory.mktemp("scratch-notebooks")
    write_notebook(root / "00-throwaway.ipynb", "print('throwaway')")
    write_notebook(
        root / "widget.ipynb",
        "import ipywidgets as widgets",
        f"widgets.VBox([widgets.Label({WIDGET_LABEL!r}), widgets.Button(description='Press me')])",
        "print('ran to the end')",
    )
    write_notebook(
        root / "failing.ipynb",
        "print('first cell ran')",
        "raise ValueError('a teaching error')",
        "print('never reached')",
    )
    return start_jupyter_lab(root)


@pytest.fixture
def lab_with_numbered_notebooks(request, tmp_path_factory, start_jupyter_lab):
    """(lab, names): the repository's notebooks/ when it has numbered notebooks; otherwise a temporary copy
    with a throwaway numbered notebook (while the tutorial notebooks are still being written)."""
    names = numbered_notebooks(NOTEBOOKS_DIR) if NOTEBOOKS_DIR.is_dir() else []
    if names:
        return request.getfixturevalue("jupyter_lab"), names
    root = tmp_path_factory.mktemp("notebooks-copy")
    if NOTEBOOKS_DIR.is_dir():
        shutil.copytree(NOTEBOOKS_DIR, root, dirs_exist_ok=True)
    write_notebook(root / "00-throwaway.ipynb", "print('throwaway')")
    return start_jupyter_lab(root), numbered_notebooks(root)


def test_jupyter_lab_serves_the_notebooks_folder(jupyter_lab):
    listing = jupyter_lab.api("api/contents")
    served = sorted(item["name"] for item in listing["content"] if item["type"] == "notebook")
    on_disk = sorted(path.name for path in NOTEBOOKS_DIR.glob("*.ipynb"))
    assert jupyter_lab.root_dir == NOTEBOOKS_DIR.resolve()
    assert served == on_disk


def test_file_browser_lists_the_numbered_notebooks(page, lab_with_numbered_notebooks):
    lab, names = lab_with_numbered_notebooks
    assert names, "expected numbered notebooks such as 00-configure.ipynb"
    page.goto(lab.url("lab"))  # the file browser opens on the root folder
    listing = page.locator(".jp-FileBrowser .jp-DirListing-content")
    for name in names:
        expect(listing.get_by_text(name, exact=True)).to_be_visible()


def test_run_all_from_the_menu_renders_widgets(page, scratch_lab, open_notebook):
    notebook = open_notebook("widget.ipynb", lab=scratch_lab)
    notebook.run_all(via="menu")
    assert notebook.errors() == []
    assert notebook.unexecuted_code_cells() == []
    expect(notebook.output_text(WIDGET_LABEL)).to_be_visible()
    expect(page.locator(".jp-OutputArea").get_by_role("button", name="Press me")).to_be_visible()
    expect(notebook.output_text("ran to the end")).to_be_visible()


def test_run_all_stops_at_a_failing_cell_and_reports_it(scratch_lab, open_notebook):
    notebook = open_notebook("failing.ipynb", lab=scratch_lab)
    notebook.run_all(via="command")
    assert notebook.errors() == ["ValueError: a teaching error"]
    assert notebook.unexecuted_code_cells() == [2]
    assert notebook.kernel_status() == "idle"
