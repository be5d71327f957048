"""Project files are written atomically, and init writes Amplify's .gitignore entries once."""
import json

from amplify_nb.fileio import atomic_write_json, replace_tree
from amplify_nb.project.init import add_gitignore_entries
from amplify_nb.project.paths import GITIGNORE_ENTRIES


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "amplify" / "backend" / "backend-config.json"
    atomic_write_json(target, {"a": 1})
    atomic_write_json(target, {"a": 2})
    assert json.loads(target.read_text()) == {"a": 2}
    assert [p.name for p in target.parent.iterdir()] == ["backend-config.json"]


def test_replace_tree_makes_an_exact_copy(tmp_path):
    (tmp_path / "src" / "auth").mkdir(parents=True)
    (tmp_path / "src" / "auth" / "a.json").write_text("1")
    (tmp_path / "dst" / "stale").mkdir(parents=True)
    replace_tree(tmp_path / "src", tmp_path / "dst")
    assert sorted(p.relative_to(tmp_path / "dst").as_posix() for p in (tmp_path / "dst").rglob("*")) == ["auth", "auth/a.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dst", "src"]


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
