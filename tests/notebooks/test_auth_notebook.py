"""03-auth runs headless with papermill: alone (it bootstraps init), twice without changing the project, and
without a password or a token in its outputs."""
from __future__ import annotations

import re

import papermill
import pytest
from test_notebooks import SECRET_PATTERNS, outputs_text, run_notebook, snapshot

from amplify_nb.client.auth import Auth
from amplify_nb.project import Project, plan

PASSWORD = "notebook pass 2024"


def test_auth_notebook_alone_signs_a_user_up_in_and_out_and_a_second_run_changes_nothing(tmp_path, local_cloud):
    project_dir = tmp_path / "beer-app"
    email = "nb-trainee@example.com"
    first = run_notebook("03-auth.ipynb", tmp_path, project_dir=str(project_dir), test_user_email=email,
                         test_user_password=PASSWORD)
    text = outputs_text(first)
    assert "✔" in text and "cli-inputs.json" in text and "refused: That reset code is wrong" in text
    for pattern in SECRET_PATTERNS + [re.escape(PASSWORD)]:
        assert not re.search(pattern, text), pattern

    project = Project.open(project_dir)
    assert not plan(project)
    assert Auth.from_project(project).sign_in(email, PASSWORD).email == email

    before = snapshot(project_dir)
    second = run_notebook("03-auth.ipynb", tmp_path, project_dir=str(project_dir), test_user_email=email,
                          test_user_password=PASSWORD)
    assert "the account exists already" in outputs_text(second) and "✔" in outputs_text(second)
    assert snapshot(project_dir) == before


def test_a_random_password_is_reset_on_the_next_run_and_never_shown(tmp_path, local_cloud):
    project_dir = tmp_path / "random"
    run_notebook("03-auth.ipynb", tmp_path, project_dir=str(project_dir), test_user_email="random@example.com")
    again = run_notebook("03-auth.ipynb", tmp_path, project_dir=str(project_dir), test_user_email="random@example.com")
    assert "the password was reset with the emailed code" in outputs_text(again) and "✔" in outputs_text(again)
    for pattern in SECRET_PATTERNS:
        assert not re.search(pattern, outputs_text(again)), pattern


def test_bad_auth_parameters_fail_the_run_with_the_message_and_add_nothing(tmp_path, local_cloud):
    project_dir = tmp_path / "bad"
    with pytest.raises(papermill.PapermillExecutionError, match="between 6 and 99"):
        run_notebook("03-auth.ipynb", tmp_path, project_dir=str(project_dir), password_min_length=3)
    assert "auth" not in Project.open(project_dir).backend_config()


def test_an_account_left_unconfirmed_by_an_interrupted_run_is_confirmed_on_the_next(tmp_path, local_cloud):
    from amplify_nb.notebook import ensure_auth

    project_dir = tmp_path / "interrupted"
    project = ensure_auth(project_dir, "dev")  # what a later notebook does to get auth when run alone
    assert "auth" in project.backend_config() and not plan(project)
    Auth.from_project(project).sign_up("late@example.com", PASSWORD)  # the run stopped before the code
    done = run_notebook("03-auth.ipynb", tmp_path, project_dir=str(project_dir), test_user_email="late@example.com",
                        test_user_password=PASSWORD)
    assert "the account is confirmed" in outputs_text(done) and "✔" in outputs_text(done)


def test_going_back_to_hosting_after_auth_still_passes_its_self_check(tmp_path, local_cloud):
    project_dir = tmp_path / "back-and-forth"
    run_notebook("02-hosting.ipynb", tmp_path, project_dir=str(project_dir))
    run_notebook("03-auth.ipynb", tmp_path, project_dir=str(project_dir), test_user_email="back@example.com")
    again = run_notebook("02-hosting.ipynb", tmp_path, project_dir=str(project_dir))
    assert "✔" in outputs_text(again)
