"""The sample web app gets into a project without a Node toolchain: install copies it into SourceDir and sets
the project's build to `python -m amplify_nb.sample_app build`, which copies it into DistributionDir."""
import hashlib
import json
import subprocess
import sys

import pytest

from amplify_nb import sample_app
from amplify_nb.project import Project


@pytest.fixture
def project(tmp_path):
    config = tmp_path / "amplify/.config"
    config.mkdir(parents=True)
    (config / "project-config.json").write_text(json.dumps({
        "projectName": "beerapp", "version": "3.1", "frontend": "javascript",
        "javascript": {"framework": "none", "config": {"SourceDir": "src", "DistributionDir": "dist",
                                                       "BuildCommand": "npm run-script build",
                                                       "StartCommand": "npm run-script start"}},
        "providers": ["awscloudformation"]}))
    (config / "local-env-info.json").write_text(json.dumps({"projectPath": str(tmp_path), "envName": "dev"}))
    (tmp_path / "src").mkdir()
    (tmp_path / "src/aws-exports.js").write_text("const awsmobile = {};\nexport default awsmobile;\n")
    return Project.open(tmp_path)


def test_install_copies_the_app_and_sets_a_build_command_that_needs_no_node(project):
    result = sample_app.install(project)
    assert {"index.html", "app.js", "config.js", "router.js", "style.css", "pages/home.js"} <= set(result["written"])
    config = project.frontend_config
    assert config["BuildCommand"] == sample_app.BUILD_COMMAND and "npm" not in config["StartCommand"]
    assert (project.source_dir / "aws-exports.js").read_text().startswith("const awsmobile")  # left alone


def test_install_twice_changes_nothing_and_keeps_the_users_edits(project):
    sample_app.install(project)
    before = {p: p.read_bytes() for p in project.root.rglob("*") if p.is_file()}
    assert sample_app.install(project) == {"written": [], "kept": []}
    assert {p: p.read_bytes() for p in project.root.rglob("*") if p.is_file()} == before
    (project.source_dir / "style.css").write_text("body { color: red }")
    assert sample_app.install(project)["kept"] == ["style.css"]
    assert (project.source_dir / "style.css").read_text() == "body { color: red }"
    assert "style.css" in sample_app.install(project, overwrite=True)["written"]


def test_a_file_still_as_installed_is_updated_by_a_newer_app(project):
    sample_app.install(project)
    manifest = project.source_dir / sample_app.MANIFEST_NAME
    old = "/* the previous version */\n"
    (project.source_dir / "app.js").write_text(old)
    installed = json.loads(manifest.read_text())
    installed["app.js"] = hashlib.sha256(old.encode()).hexdigest()  # as if that version had been installed
    manifest.write_text(json.dumps(installed))
    assert sample_app.install(project)["written"] == ["app.js"]


def test_build_copies_the_source_with_aws_exports_and_writes_build_info(project):
    sample_app.install(project)
    result = sample_app.build(project.root)
    dist = project.root / "dist"
    assert {"index.html", "app.js", "aws-exports.js", "build-info.js", "pages/home.js"} <= set(result["files"])
    assert not any(name.startswith(".") for name in result["files"])
    assert '"projectName": "beerapp"' in (dist / "build-info.js").read_text()
    first = {p: p.read_bytes() for p in dist.rglob("*") if p.is_file()}
    sample_app.build(project.root)
    assert {p: p.read_bytes() for p in dist.rglob("*") if p.is_file()} == first  # same input, same bytes


def test_the_build_command_runs_from_the_project_folder(project):
    sample_app.install(project)
    (project.root / "dist").mkdir()
    (project.root / "dist/stale.js").write_text("old")
    done = subprocess.run([sys.executable, "-m", "amplify_nb.sample_app", "build"], cwd=project.root,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (project.root / "dist/index.html").exists() and not (project.root / "dist/stale.js").exists()


def test_build_without_the_app_says_how_to_install_it(project):
    done = subprocess.run([sys.executable, "-m", "amplify_nb.sample_app", "build"], cwd=project.root,
                          capture_output=True, text=True)
    assert done.returncode == 1 and "sample_app install" in done.stderr


def test_index_html_loads_its_assets_by_absolute_path():
    index = (sample_app.WEB_DIR / "index.html").read_text()
    assert 'src="/app.js"' in index and 'href="/style.css"' in index
