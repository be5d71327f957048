"""Project files are written atomically, and init writes Amplify's .gitignore entries once."""
import json

import os
import subprocess
import sys

import pytest

from amplify_nb.fileio import atomic_write_json, atomic_write_text, swapped_tree
from amplify_nb.project.init import add_gitignore_entries
from amplify_nb.project.paths import GITIGNORE_ENTRIES


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "amplify" / "backend" / "backend-config.json"
    atomic_write_json(target, {"a": 1})
    atomic_write_json(target, {"a": 2})
    assert json.loads(target.read_text()) == {"a": 2}
    assert [p.name for p in target.parent.iterdir()] == ["backend-config.json"]


def test_swapped_tree_replaces_the_folder_whole(tmp_path):
    (tmp_path / "dst" / "stale").mkdir(parents=True)
    with swapped_tree(tmp_path / "dst") as staging:
        (staging / "auth").mkdir()
        (staging / "auth" / "a.json").write_text("1")
        assert (tmp_path / "dst" / "stale").exists()  # the old folder stays until the new one is complete
    assert sorted(p.relative_to(tmp_path / "dst").as_posix() for p in (tmp_path / "dst").rglob("*")) == ["auth", "auth/a.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dst"]


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_written_files_get_the_mode_the_umask_gives(tmp_path, umask, mode):
    """As `open()` would: a project file is not private to its writer unless the umask says so."""
    target = tmp_path / "team-provider-info.json"
    code = (f"import os; os.umask({umask:#o}); from amplify_nb.fileio import atomic_write_text; "
            f"atomic_write_text({str(target)!r}, 'x')")
    subprocess.run([sys.executable, "-c", code], check=True)
    assert target.stat().st_mode & 0o777 == mode
    previous = os.umask(umask)
    try:
        atomic_write_text(target, "y")  # replacing a file follows the umask as well
    finally:
        os.umask(previous)
    assert target.stat().st_mode & 0o777 == mode


def test_gitignore_keeps_user_lines_and_adds_amplify_entries_once(tmp_path):
    gitignore = tmp_path / ".gitignore"
    gitignore.write_text("*.log\n")
    add_gitignore_entries(gitignore)
    add_gitignore_entries(gitignore)
    lines = gitignore.read_text().splitlines()
    assert lines[0] == "*.log"
    for entry in ("amplify/#current-cloud-backend", "amplify/.config/local-*", "amplify/backend/amplify-meta.json",
                  "aws-exports.js", "amplifyconfiguration.json"):
        assert lines.count(entry) == 1
    assert all(entry in lines for entry in GITIGNORE_ENTRIES)
