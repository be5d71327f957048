"""status follows Amplify: Create / Update / Delete / No Change from backend-config and folder hashes."""
import json

from amplify_nb.project import Project, resource_status
from amplify_nb.project.status import folder_hash, status_text


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)


def make_project(root, desired, deployed):
    write(root / "amplify/.config/project-config.json", {"projectName": "beer", "frontend": "javascript"})
    write(root / "amplify/.config/local-env-info.json", {"envName": "dev"})
    write(root / "amplify/backend/backend-config.json", desired)
    write(root / "amplify/#current-cloud-backend/backend-config.json", deployed)
    return Project(root)


def hosting(bucket="b"):
    return {"service": "S3AndCloudFront", "providerPlugin": "awscloudformation", "bucket": bucket}


def test_each_resource_gets_amplifys_operation(tmp_path):
    project = make_project(tmp_path, {"hosting": {"S3AndCloudFront": hosting()}, "auth": {"new": {"service": "Cognito"}},
                                      "api": {"same": {"service": "API Gateway"}}},
                           {"hosting": {"S3AndCloudFront": hosting("old")}, "function": {"gone": {"service": "Lambda"}},
                            "api": {"same": {"service": "API Gateway"}}})
    rows = {(r.category, r.resource_name): r.operation for r in resource_status(project)}
    assert rows == {("api", "same"): "No Change", ("auth", "new"): "Create",
                    ("function", "gone"): "Delete", ("hosting", "S3AndCloudFront"): "Update"}


def test_an_edited_file_in_the_resource_folder_means_update(tmp_path):
    config = {"function": {"fn": {"service": "Lambda"}}}
    project = make_project(tmp_path, config, config)
    write(tmp_path / "amplify/backend/function/fn/src/index.py", "v1")
    write(tmp_path / "amplify/#current-cloud-backend/function/fn/src/index.py", "v1")
    assert [r.operation for r in resource_status(project)] == ["No Change"]
    write(tmp_path / "amplify/backend/function/fn/src/index.py", "v2")
    assert [r.operation for r in resource_status(project)] == ["Update"]


def test_folder_hash_ignores_build_output_and_dot_folders(tmp_path):
    write(tmp_path / "src/index.py", "code")
    before = folder_hash(tmp_path)
    for ignored in ("node_modules/x.js", "dist/a.zip", "build/b", ".cache/c"):
        write(tmp_path / ignored, "noise")
    assert folder_hash(tmp_path) == before
    write(tmp_path / "src/other.py", "more")
    assert folder_hash(tmp_path) != before


def test_status_text_shows_the_env_and_amplifys_columns(tmp_path):
    project = make_project(tmp_path, {"auth": {"beerauth": {"service": "Cognito"}}}, {})
    text = status_text(project)
    assert "Current Environment: dev" in text
    assert "Category" in text and "Resource name" in text and "Operation" in text and "Provider plugin" in text
    assert "beerauth" in text and "Create" in text
