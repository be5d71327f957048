"""The numbered notebooks run headless with papermill, alone or in order, twice without changing anything."""
from __future__ import annotations

import json
import re
from pathlib import Path

import papermill
import pytest
import yaml

from amplify_nb.project import Project, plan

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SECRET_PATTERNS = [r"aws_secret_access_key", r"SecretAccessKey", r"AKIA[0-9A-Z]{16}", r"eyJ[A-Za-z0-9_-]{20,}\.eyJ"]


def run_notebook(notebook: str, out_dir: Path, **parameters) -> dict:
    output = out_dir / f"executed-{notebook}"
    papermill.execute_notebook(str(NOTEBOOKS / notebook), str(output), parameters=parameters, kernel_name="python3",
                               cwd=str(NOTEBOOKS), progress_bar=False, execution_timeout=300)
    return json.loads(output.read_text())


def outputs_text(notebook: dict) -> str:
    return json.dumps([cell.get("outputs", []) for cell in notebook["cells"]], ensure_ascii=False)


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_every_notebook_has_the_parameters_contract():
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb")):
        notebook = json.loads(path.read_text())
        tagged = [c for c in notebook["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, path.name
        source = "".join(tagged[0]["source"])
        for name in ("project_dir", "env_name", "target"):
            assert re.search(rf"^{name} = ", source, re.M), f"{path.name} lacks parameter {name}"
        assert all(not c.get("outputs") for c in notebook["cells"] if c["cell_type"] == "code"), f"{path.name} has outputs"


def test_configure_then_init_in_order(tmp_path, local_cloud, boto3_client):
    project_dir = tmp_path / "beer-app"
    configured = run_notebook("00-configure.ipynb", tmp_path, project_dir=str(project_dir))
    assert json.loads((project_dir / "amplify/.config/local-aws-info.json").read_text())["dev"]["target"] == "local"
    assert "✔" in outputs_text(configured)

    initialized = run_notebook("01-init.ipynb", tmp_path, project_dir=str(project_dir), name="beerapp")
    project = Project.open(project_dir)
    assert project.name == "beerapp" and project.env_name == "dev"
    team = project.env_info()["awscloudformation"]
    s3 = boto3_client("s3", local_cloud.endpoint)
    assert team["DeploymentBucketName"] in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert not plan(project)
    text = outputs_text(initialized)
    assert "✔" in text and "project-config.json" in text
    for notebook in (configured, initialized):
        for pattern in SECRET_PATTERNS:
            assert not re.search(pattern, outputs_text(notebook)), pattern


def test_init_notebook_alone_bootstraps_and_a_second_run_changes_nothing(tmp_path, local_cloud):
    project_dir = tmp_path / "alone"
    run_notebook("01-init.ipynb", tmp_path, project_dir=str(project_dir))
    assert Project.open(project_dir).target().kind == "local"
    before = snapshot(project_dir)
    run_notebook("01-init.ipynb", tmp_path, project_dir=str(project_dir))
    assert snapshot(project_dir) == before


def test_init_notebook_takes_its_answers_from_an_example_yaml(tmp_path, local_cloud):
    parameters = yaml.safe_load((EXAMPLES / "dev-local.yaml").read_text())
    project_dir = tmp_path / "from-yaml"
    run_notebook("01-init.ipynb", tmp_path, project_dir=str(project_dir), **{**parameters, "framework": "react",
                                                                             "distribution_dir": "build"})
    config = Project.open(project_dir).project_config
    assert config["projectName"] == "beerapp" and config["javascript"]["framework"] == "react"
    assert config["javascript"]["config"]["DistributionDir"] == "build"


def test_bad_parameters_fail_the_run_with_amplifys_message_and_write_nothing(tmp_path, local_cloud):
    project_dir = tmp_path / "bad"
    with pytest.raises(papermill.PapermillExecutionError, match="Project name should be between 3 and 20"):
        run_notebook("01-init.ipynb", tmp_path, project_dir=str(project_dir), name="x")
    assert not (project_dir / "amplify/.config/project-config.json").exists()
