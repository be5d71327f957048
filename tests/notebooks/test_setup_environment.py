"""Whole environments from one YAML file: a class of three trainee projects set up from scratch, run again
(no cloud call), one answer changed (only that resource updated), a killed run converging, and the notebook
run by papermill's own command line with -f, leaving no secret in its record."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import yaml

from amplify_nb.deploy.executor import FAULT_AFTER_STEPS
from amplify_nb.project import Project, plan
from amplify_nb.project.setup import plan_workshop, setup_environment, setup_workshop

ROOT = Path(__file__).resolve().parents[2]
WORKSHOP = ROOT / "examples" / "envs" / "workshop.yaml"
DEV_LOCAL = ROOT / "examples" / "envs" / "dev-local.yaml"
SECRET_PATTERNS = [r"aws_secret_access_key", r"SecretAccessKey", r"SessionToken", r"AKIA[0-9A-Z]{16}", r"ASIA[0-9A-Z]{16}",
                   r"eyJ[A-Za-z0-9_-]{20,}\.eyJ"]


def workshop_data(**changes) -> dict:
    data = yaml.safe_load(WORKSHOP.read_text())
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        target = data
        for key in parents:
            target = target.setdefault(key, {})
        target[last] = value
    return data


def test_a_workshop_of_three_trainees_then_no_change_then_one_answer_changed(tmp_path, local_cloud, boto3_client):
    classroom = tmp_path / "class"
    first = setup_workshop(workshop_data(), workshop_dir=classroom)

    assert [trainee for trainee, _ in first] == ["ana", "ben", "chloe"]
    tables = boto3_client("dynamodb", local_cloud.endpoint).list_tables()["TableNames"]
    functions = [f["FunctionName"] for f in boto3_client("lambda", local_cloud.endpoint).list_functions()["Functions"]]
    for trainee, result in first:
        project = Project.open(classroom / trainee)
        assert project.name == f"beer{trainee}" and project.env_name == "dev"
        assert sorted(project.backend_config()) == ["api", "auth", "function", "hosting", "storage"]
        assert [done for _, _, done in result.applied] == ["added"] * 5
        assert f"beer{trainee}-dev" in tables and f"beerfn{trainee}-dev" in functions
        assert result.endpoints["Hosting endpoint"].startswith("http://127.0.0.1:")
        assert "/restapis/" in result.endpoints["REST API endpoint"]
        assert result.published is not None and "index.html" in result.published.uploaded
        assert not plan(project)

    again = setup_workshop(workshop_data(), workshop_dir=classroom)
    for trainee, result in again:
        assert result.push.calls_made == [], trainee  # no mutating cloud call
        assert result.applied == [] and result.counts()["unchanged"] == 5
        assert result.published.uploaded == [] and result.published.deleted == []

    changed = workshop_data(auth__password_min_length=12)
    plans = plan_workshop(changed, workshop_dir=classroom)
    for trainee, planned in plans:
        actions = {(r.category, r.action) for r in planned.resources}
        assert actions == {("hosting", "unchanged"), ("auth", "update"), ("storage", "unchanged"),
                           ("function", "unchanged"), ("api", "unchanged")}, trainee
        assert next(r for r in planned.resources if r.category == "auth").changed == ["password_min_length"]
    updated = setup_workshop(changed, workshop_dir=classroom)
    for trainee, result in updated:
        assert [(c, done) for c, _, done in result.applied] == [("auth", "updated")]
        assert result.push.calls_made and all(call.startswith("cognito-idp.") for call in result.push.calls_made)
        pool_id = Project.open(classroom / trainee).amplify_meta()["auth"][result.applied[0][1]]["output"]["UserPoolId"]
        policy = boto3_client("cognito-idp", local_cloud.endpoint).describe_user_pool(UserPoolId=pool_id)
        assert policy["UserPool"]["Policies"]["PasswordPolicy"]["MinimumLength"] == 12


def own_names(data: dict, suffix: str) -> dict:
    """The file's answers with function, table and api names of their own: on the session's shared cloud a
    `<name>-<env>` table or function belongs to one project."""
    data = json.loads(json.dumps(data))
    data["api"].update(name=f"api{suffix}")
    data["api"]["new_function"].update(name=f"fn{suffix}")
    data["api"]["new_function"]["new_table"].update(resource_name=f"beer{suffix}", table_name=f"beer{suffix}")
    return data


def test_a_run_killed_mid_push_converges_when_run_again(tmp_path, local_cloud):
    project_dir = tmp_path / "killed"
    environment = tmp_path / "killed.yaml"
    environment.write_text(yaml.safe_dump(own_names(yaml.safe_load(DEV_LOCAL.read_text()), uuid.uuid4().hex[:6])))
    command = [sys.executable, "-m", "amplify_nb.cli", "setup", str(environment), "--project-dir", str(project_dir),
               "--yes"]
    killed = subprocess.run(command, env={**os.environ, FAULT_AFTER_STEPS: "12"}, capture_output=True, text=True,
                            timeout=600)
    assert killed.returncode != 0, killed.stdout
    assert plan(Project.open(project_dir))  # the push stopped with work left

    rerun = setup_environment(environment, project_dir)
    assert rerun.push.resumed is not None
    assert not plan(Project.open(project_dir))
    assert setup_environment(environment, project_dir).push.calls_made == []


def test_the_notebook_under_papermill_with_a_yaml_file(tmp_path, local_cloud):
    output = tmp_path / "setup.ipynb"
    classroom = tmp_path / "class"
    command = [sys.executable, "-m", "papermill", str(ROOT / "notebooks" / "setup-environment.ipynb"), str(output),
               "-f", str(WORKSHOP), "-p", "workshop_dir", str(classroom), "-y", "trainees: [dora]",
               "--kernel", "python3", "--cwd", str(ROOT / "notebooks"), "--no-progress-bar"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    project = Project.open(classroom / "dora")
    assert project.name == "beerdora" and "api" in project.backend_config()
    record = json.dumps([cell.get("outputs", []) for cell in json.loads(output.read_text())["cells"]])
    assert "The environment is valid" in record and "Hosting endpoint" in record and "match the file" in record
    for pattern in SECRET_PATTERNS:
        assert not re.search(pattern, record), pattern


def test_the_notebook_stops_on_a_bad_file_naming_the_key_and_writes_nothing(tmp_path, local_cloud):
    bad = tmp_path / "bad.yaml"
    bad.write_text("init: {name: beerapp}\napi:\n  new_function:\n    runtime: ruby\n")
    output = tmp_path / "bad.ipynb"
    project_dir = tmp_path / "never"
    command = [sys.executable, "-m", "papermill", str(ROOT / "notebooks" / "setup-environment.ipynb"), str(output),
               "-p", "env_file", str(bad), "-p", "project_dir", str(project_dir), "--kernel", "python3",
               "--no-progress-bar"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    assert "api.new_function.runtime: The runtime must be one of" in output.read_text()
    assert not project_dir.exists()

    misspelt = command[:command.index("--kernel")] + ["-y", "hostin: {environment: DEV}"] + command[command.index("--kernel"):]
    done = subprocess.run(misspelt, capture_output=True, text=True, timeout=300)
    assert done.returncode != 0  # papermill only warns about a name the notebook does not declare; the notebook refuses it
    assert "hostin: unknown key. Did you mean hosting?" in output.read_text()
    assert not project_dir.exists()


def run_setup(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "amplify_nb.cli", "setup", *args], capture_output=True, text=True,
                          timeout=600)


def test_setup_takes_one_file_per_trainee_into_the_workshop_folder(tmp_path, local_cloud):
    """`make workshop ENVS="ana.yaml ben.yaml"`: each file is one trainee's project, <dir>/<file name>/; two
    files naming the same cloud resources are refused before anything is written."""
    classroom = tmp_path / "class"
    base = yaml.safe_load(DEV_LOCAL.read_text())
    for trainee in ("ana", "ben"):
        data = own_names(base, trainee + uuid.uuid4().hex[:4])
        data["init"]["name"] = f"beer{trainee}"
        (tmp_path / f"{trainee}.yaml").write_text(yaml.safe_dump(data))
    (tmp_path / "copy.yaml").write_text(yaml.safe_dump({**base, "init": {**base["init"], "name": "beercopy"}}))
    shared = run_setup("--yes", "--workshop-dir", str(classroom), str(DEV_LOCAL), str(tmp_path / "copy.yaml"))
    assert shared.returncode == 2 and "api.name: 'beerapi' is the same for" in shared.stderr
    assert not classroom.exists()

    done = run_setup("--yes", "--workshop-dir", str(classroom), str(tmp_path / "ana.yaml"), str(tmp_path / "ben.yaml"))
    assert done.returncode == 0, done.stderr
    assert Project.open(classroom / "ana").name == "beerana" and Project.open(classroom / "ben").name == "beerben"
    summary = done.stdout.splitlines()[-3:]
    assert "Hosting endpoint" in summary[0] and "REST API endpoint" in summary[0]
    assert all(str(classroom / name) in line for name, line in zip(("ana", "ben"), summary[1:]))

    again = run_setup("--workshop-dir", str(classroom), str(tmp_path / "ana.yaml"), str(tmp_path / "ben.yaml"))
    assert again.returncode == 0, again.stderr  # nothing to change: no confirmation needed, even without --yes
    assert [line.split()[3:8] for line in again.stdout.splitlines()[-2:]] == [["0", "0", "5", "0", "0"]] * 2
