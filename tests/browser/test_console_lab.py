"""console() in JupyterLab: run in a notebook, it shows the projects-and-envs table with clickable endpoint links,
the current env's resources and its diagram as inline SVG (a screenshot is kept for a person to look at)."""
from __future__ import annotations

import os
import uuid

import nbformat
import pytest
from playwright.sync_api import expect

from amplify_nb.notebook import ensure_api

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def console_lab(local_cloud, start_jupyter_lab, tmp_path_factory):
    """(lab, project): the tutorial backend pushed, and a notebook that opens the console on it."""
    suffix = uuid.uuid4().hex[:6]
    project = ensure_api(tmp_path_factory.mktemp("console-project") / f"beer{suffix}", "dev",
                         function_name=f"beerfn{suffix}", table_name=f"beer{suffix}", path="/beer")
    root = tmp_path_factory.mktemp("console-notebooks")
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell("from amplify_nb.console import console"),
                      nbformat.v4.new_code_cell(f"console({str(project.root)!r})")]
    nbformat.write(notebook, root / "console.ipynb")
    return start_jupyter_lab(root), project


def test_console_shows_the_tables_links_and_the_diagram_in_jupyterlab(page, console_lab, open_notebook, tmp_path):
    lab, project = console_lab
    notebook = open_notebook("console.ipynb", lab=lab)
    notebook.run_all(via="menu")
    assert notebook.errors() == []
    output = page.locator(".jp-OutputArea-output").last
    expect(output.get_by_text("Projects and envs")).to_be_visible()
    expect(output.get_by_text(f"Resources of {project.name}/dev")).to_be_visible()
    api_url = project.amplify_meta()["api"]
    root_url = next(iter(api_url.values()))["output"]["RootUrl"]
    link = output.locator(f'a[href="{root_url}"]').first
    expect(link).to_be_visible()
    diagram = output.locator(".amplify-nb-console-diagram svg")
    expect(diagram).to_be_visible()
    function = next(iter(project.amplify_meta()["function"].values()))["output"]["Name"]
    expect(diagram.locator(f'g[id="lambda.Function:{function}"]')).to_have_count(1)
    assert diagram.locator("g.edge").count() >= 5
    shots = os.environ.get("AMPLIFY_NB_SCREENSHOT_DIR") or str(tmp_path)  # for a person to look at
    page.screenshot(path=os.path.join(shots, "console-lab.png"))
    diagram.scroll_into_view_if_needed()
    page.screenshot(path=os.path.join(shots, "console-lab-diagram.png"))
