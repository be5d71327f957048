"""Function builds are content-hashed and deterministic: unchanged src/ reuses the zip (same CodeSha256, no pip),
any change builds again; requirements are installed next to the code; a failing pip is a clear error."""
from __future__ import annotations

import os
import zipfile

import pytest

from amplify_nb.functions import build as build_module
from amplify_nb.functions.build import BuildError, build_function, needs_build, zip_sha256

HANDLER = "def handler(event, context):\n    return {'statusCode': 200}\n"


@pytest.fixture
def src(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "index.py").write_text(HANDLER)
    (folder / "requirements.txt").write_text("# boto3 is in the Lambda runtime already\n\n")
    return folder


def tiny_wheel(folder, name="tinydep", version="1.0"):
    """A minimal pure-Python wheel, so pip installs it without any index."""
    path = folder / f"{name}-{version}-py3-none-any.whl"
    info = f"{name}-{version}.dist-info"
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr(f"{name}/__init__.py", "VALUE = 42\n")
        wheel.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        wheel.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        wheel.writestr(f"{info}/RECORD", "")
    return path


def no_pip(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("pip ran")

    monkeypatch.setattr(build_module.subprocess, "run", refuse)


def test_an_unchanged_function_is_not_rebuilt_and_keeps_its_code_sha(src, tmp_path, monkeypatch):
    first = build_function(src, tmp_path / "build", "python3.12")
    assert first.changed and first.sha256_b64 == zip_sha256(first.zip_path)
    modified = first.zip_path.stat().st_mtime_ns
    no_pip(monkeypatch)
    again = build_function(src, tmp_path / "build", "python3.12")
    assert not again.changed and again.sha256_b64 == first.sha256_b64 and again.digest == first.digest
    assert again.zip_path.stat().st_mtime_ns == modified
    assert not needs_build(src, tmp_path / "build", "python3.12")


def test_a_changed_file_or_runtime_builds_a_new_zip_with_a_new_sha(src, tmp_path):
    first = build_function(src, tmp_path / "build", "python3.12")
    (src / "index.py").write_text(HANDLER.replace("200", "201"))
    assert needs_build(src, tmp_path / "build", "python3.12")
    edited = build_function(src, tmp_path / "build", "python3.12")
    assert edited.changed and edited.sha256_b64 != first.sha256_b64
    other_runtime = build_function(src, tmp_path / "build", "python3.13")
    assert other_runtime.changed and other_runtime.digest != edited.digest


def test_the_same_source_gives_the_same_zip_byte_for_byte(src, tmp_path):
    one = build_function(src, tmp_path / "one", "python3.12")
    os.utime(src / "index.py", (0, 0))  # other timestamps must not matter
    two = build_function(src, tmp_path / "two", "python3.12")
    assert one.zip_path.read_bytes() == two.zip_path.read_bytes()
    with zipfile.ZipFile(one.zip_path) as archive:
        assert archive.namelist() == ["index.py", "requirements.txt"]
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_caches_are_left_out_of_the_zip_and_the_digest(src, tmp_path):
    first = build_function(src, tmp_path / "build", "python3.12")
    (src / "__pycache__").mkdir()
    (src / "__pycache__" / "index.cpython-311.pyc").write_bytes(b"\0")
    assert not build_function(src, tmp_path / "build", "python3.12").changed
    with zipfile.ZipFile(first.zip_path) as archive:
        assert not [name for name in archive.namelist() if "pycache" in name]


def test_requirements_are_installed_next_to_the_code(src, tmp_path):
    wheel = tiny_wheel(tmp_path)
    (src / "requirements.txt").write_text(f"{wheel}\n")
    built = build_function(src, tmp_path / "build", "python3.12")
    with zipfile.ZipFile(built.zip_path) as archive:
        names = archive.namelist()
        assert "tinydep/__init__.py" in names and "index.py" in names
        assert archive.read("tinydep/__init__.py") == b"VALUE = 42\n"
        assert not [name for name in names if name.endswith(".pyc")]


def test_a_failing_pip_is_a_clear_error_with_pips_message_and_keeps_the_last_build(src, tmp_path):
    good = build_function(src, tmp_path / "build", "python3.12")
    (src / "requirements.txt").write_text(f"{tmp_path / 'missing-1.0-py3-none-any.whl'}\n")
    with pytest.raises(BuildError, match=r"(?s)Installing .*requirements.txt failed.*missing-1.0-py3-none-any.whl.*Fix requirements.txt"):
        build_function(src, tmp_path / "build", "python3.12")
    assert zip_sha256(good.zip_path) == good.sha256_b64
    assert [p.name for p in (tmp_path / "build").iterdir() if p.name.startswith(".")] == []


def test_a_replaced_zip_is_built_again(src, tmp_path):
    first = build_function(src, tmp_path / "build", "python3.12")
    first.zip_path.write_bytes(b"not the build")
    again = build_function(src, tmp_path / "build", "python3.12")
    assert again.changed and again.sha256_b64 == first.sha256_b64


def test_a_missing_source_folder_is_a_clear_error(tmp_path):
    with pytest.raises(BuildError, match="source folder .* does not exist"):
        build_function(tmp_path / "nowhere", tmp_path / "build", "python3.12")
