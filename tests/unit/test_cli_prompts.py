"""In a terminal without --yes, the CLI asks each question with its default shown and re-asks a bad answer."""
import sys
from types import SimpleNamespace

import amplify_nb.project as project_module
from amplify_nb.cli import main
from amplify_nb.errors import InputError


def test_init_asks_each_question_shows_defaults_and_reasks_bad_answers(tmp_path, monkeypatch, capsys):
    replies = iter(["n", "ab", "beerapp", "Prod", "prod", "", "", "4", "", "", "", ""])
    prompts = []

    def fake_input(prompt=""):
        prompts.append(prompt)
        return next(replies)

    received = {}

    def fake_init(project_dir, spec, progress=True):
        received["spec"] = spec
        raise InputError("stop here")  # the answers are what this test is about

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", fake_input)
    monkeypatch.setattr(project_module, "init_project", fake_init)
    assert main(["init", "--project-dir", str(tmp_path / "my-beer")]) == 2

    out = capsys.readouterr().out
    assert "Initialize the project with the above configuration?" in prompts[0]
    assert prompts[1] == "? Enter a name for the project (mybeer) "
    assert "Project name should be between 3 and 20 characters and alphanumeric" in out
    assert "Environment name must be between 2 and 10 characters" in out
    assert "1. Visual Studio Code  (default)" in out
    spec = received["spec"]
    assert (spec.name, spec.env, spec.framework, spec.distribution_dir) == ("beerapp", "prod", "react", "build")


# --- when the CLI may ask ----------------------------------------------------------------------------------------
import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import textwrap  # noqa: E402

import pexpect  # noqa: E402
import pytest  # noqa: E402

from amplify_nb.prompts import NO_TERMINAL, Aborted, NoTerminalError, ask, confirm, interactive  # noqa: E402
from amplify_nb.specs import ConfigureSpec, FunctionSpec, InitSpec, ProjectResource, StorageSpec  # noqa: E402


def args(**values) -> argparse.Namespace:
    return argparse.Namespace(**{"yes": False, "answers": None, **values})


def fake_terminal(monkeypatch, replies, is_tty=True) -> list[str]:
    """stdin is (not) a terminal and input() answers from replies; returns the prompts shown."""
    replies, prompts = iter(replies), []

    def fake_input(prompt=""):
        prompts.append(prompt)
        reply = next(replies)
        if isinstance(reply, BaseException):
            raise reply
        return reply

    monkeypatch.setattr(sys.stdin, "isatty", lambda: is_tty)
    monkeypatch.setattr("builtins.input", fake_input)
    return prompts


def test_without_a_terminal_questions_left_or_a_confirmation_cannot_be_asked(monkeypatch):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    spec = InitSpec()
    with pytest.raises(NoTerminalError, match=NO_TERMINAL):
        interactive(args(), spec, {})
    with pytest.raises(NoTerminalError):
        confirm(args(answers="f.yaml"), "Are you sure you want to continue?")  # an answers file confirms nothing
    assert interactive(args(yes=True), spec, {}) is False and confirm(args(yes=True), "?") is True
    assert interactive(args(answers="f.yaml"), spec, {}) is False  # the file answers the flow, the rest default
    every = {q.name: getattr(spec, q.name) for q in spec.questions()}
    assert interactive(args(), spec, every) is False
    local = ConfigureSpec(target="local")
    assert interactive(args(), local, {"target": "local"}) is False  # region, profile, URL do not apply


def test_in_a_terminal_questions_and_confirmations_are_asked(monkeypatch):
    fake_terminal(monkeypatch, ["n"])
    assert interactive(args(), InitSpec(), {}) is True
    assert confirm(args(), "Are you sure?") is False


def test_ctrl_d_and_ctrl_c_at_a_prompt_abort(monkeypatch):
    fake_terminal(monkeypatch, [EOFError(), KeyboardInterrupt()])
    with pytest.raises(Aborted):
        confirm(args(), "Are you sure?")
    with pytest.raises(Aborted):
        ask(InitSpec(), {})


def test_eof_at_the_init_prompt_exits_130_with_aborted_and_writes_nothing(tmp_path, monkeypatch, capsys):
    fake_terminal(monkeypatch, [EOFError()])
    assert main(["init", "--project-dir", str(tmp_path / "beer")]) == 130
    captured = capsys.readouterr()
    assert captured.out.endswith("\n") and "Aborted." in captured.err and "Traceback" not in captured.err
    assert not (tmp_path / "beer").exists()


def test_ctrl_c_outside_a_prompt_exits_130_with_one_line(tmp_path, monkeypatch, capsys):
    def interrupted(*_, **__):
        raise KeyboardInterrupt

    monkeypatch.setattr(project_module, "init_project", interrupted)
    assert main(["init", "--yes", "--project-dir", str(tmp_path)]) == 130
    assert capsys.readouterr().err.strip() == "Interrupted. Run the command again to continue where it stopped."


def test_an_unexpected_error_is_one_line_and_a_traceback_only_with_debug(tmp_path, monkeypatch, capsys):
    def broken(*_, **__):
        raise ValueError("boom")

    monkeypatch.setattr(project_module, "init_project", broken)
    assert main(["init", "--yes", "--project-dir", str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip() == ("🛑 Unexpected error: ValueError: boom "
                                               "(run with --debug to see the traceback)")
    with pytest.raises(ValueError):
        main(["init", "--yes", "--debug", "--project-dir", str(tmp_path)])


def test_no_at_the_remove_confirmation_changes_nothing(tmp_path, monkeypatch, capsys):
    removed = []
    hosted = SimpleNamespace(backend_config=lambda current=False: {"hosting": {"S3AndCloudFront": {}}})
    monkeypatch.setattr(project_module.Project, "open", classmethod(lambda cls, folder: hosted))
    monkeypatch.setattr(project_module, "remove_resource", lambda *a: removed.append(a))
    fake_terminal(monkeypatch, ["n"])
    assert main(["remove", "hosting", "--project-dir", str(tmp_path)]) == 0
    assert removed == [] and "Remove cancelled: nothing was changed." in capsys.readouterr().out


# --- repeated and conditional answers in the terminal --------------------------------------------------------
def test_the_column_loop_keys_and_gsis_are_asked_like_amplify(monkeypatch, capsys):
    prompts = fake_terminal(monkeypatch, [
        "", "beer", "",                       # service (nosql), friendly name, table name (follows the name)
        "id", "", "y",                        # column id: string; another
        "a b", "style", "1", "y",             # a bad name is re-asked
        "abv", "number", "y",
        "tags", "string-set", "n",
        "tags", "3",                          # partition key: tags is not a key type; 3 = abv... re-asked
        "y", "style",                         # sort key
        "y", "byStyle", "style", "y", "abv", "n",
    ])
    spec = ask(StorageSpec.for_project("beerapp"), {})
    out = capsys.readouterr().out
    assert spec.columns == [{"name": "id", "type": "string"}, {"name": "style", "type": "string"},
                            {"name": "abv", "type": "number"}, {"name": "tags", "type": "string-set"}]
    assert (spec.table_name, spec.partition_key, spec.sort_key) == ("beer", "abv", "style")
    assert spec.gsis == [{"name": "byStyle", "partition_key": "style", "sort_key": "abv"}]
    assert "You can use the following characters: a-z A-Z 0-9 - _" in out
    assert "The partition key must be one of the table's columns of type string, number or binary" in out
    assert "? Would you like to add another column? (Y/n) " in prompts
    assert "? Please choose the data type [string]: " in prompts
    assert "? Do you want to add a sort key to your table? (y/N) " in prompts
    assert "? Do you want to add global secondary indexes to your table? (y/N) " in prompts
    assert "? Do you want to add a sort key to your global secondary index? (y/N) " in prompts
    assert not any("bucket" in p for p in prompts)  # content's questions do not apply
    assert spec.problems() == []


def test_hello_world_skips_the_table_questions_and_advanced_settings_are_opt_in(monkeypatch):
    prompts = fake_terminal(monkeypatch, ["beerfn", "", "", "n"])
    spec = ask(FunctionSpec.for_project("beerapp", [ProjectResource("storage", "beer", "DynamoDB")]), {})
    assert (spec.name, spec.template, spec.access) == ("beerfn", "hello-world", {})
    assert not any("DynamoDB" in p or "timeout" in p for p in prompts)


def test_crud_with_a_table_of_the_project_and_resource_access(monkeypatch, capsys):
    project = [ProjectResource("storage", "beer", "DynamoDB"), ProjectResource("storage", "photos", "S3"),
               ProjectResource("auth", "beerauth", "Cognito")]
    prompts = fake_terminal(monkeypatch, [
        "beerfn", "python3.12", "2",          # name, runtime, CRUD template
        "", "",                               # data source (project), table (beer)
        "y",                                  # advanced settings
        "y", "storage", "photos", "read,2",   # access: storage -> photos -> read (2 = read)
        "", "", "n",                          # timeout, memory, no env vars
    ])
    spec = ask(FunctionSpec.for_project("beerapp", project), {})
    assert (spec.runtime, spec.template, spec.data_source, spec.table) == ("python3.12", "crud-dynamodb", "project", "beer")
    assert spec.access == {"storage": {"photos": ["read"]}} and spec.problems() == []
    assert "? Storage has 2 resources in this project. Select the one you would like your Lambda to access " \
           "(numbers or names, comma-separated, e.g. 1,3) [none]: " in prompts
    assert "? Select the operations you want to permit on photos (numbers or names, comma-separated, e.g. 1,3) [none]: " in prompts


def test_a_new_table_runs_the_storage_flow_without_asking_the_service(monkeypatch):
    prompts = fake_terminal(monkeypatch, ["beerfn", "", "2", "", "beer", "", "id", "", "n", "", "n", "n", "n"])
    spec = ask(FunctionSpec.for_project("beerapp", []), {})
    assert spec.data_source == "new" and spec.new_table["resource_name"] == "beer"
    assert spec.new_table["columns"] == [{"name": "id", "type": "string"}]
    assert not any("mentioned services" in p for p in prompts)
    assert "bucket_name" not in spec.new_table  # only the answers that apply to a table


def test_the_column_loop_in_a_real_terminal(tmp_path):
    script = textwrap.dedent("""
        import json
        from amplify_nb.prompts import ask
        from amplify_nb.specs import StorageSpec
        spec = ask(StorageSpec.for_project("beerapp"), {"service": "nosql", "resource_name": "beer"})
        print("RESULT " + json.dumps({"columns": spec.columns, "partition_key": spec.partition_key}))
    """)
    child = pexpect.spawn(sys.executable, ["-c", script], cwd=str(tmp_path), env=dict(os.environ), encoding="utf-8",
                          timeout=60)
    for expected, reply in (("Please provide table name", ""), ("What would you like to name this column", "id"),
                            ("Please choose the data type", ""), ("Would you like to add another column?", "y"),
                            ("What would you like to name this column", "abv"), ("Please choose the data type", "2"),
                            ("Would you like to add another column?", "n"),
                            ("Please choose partition key for the table", "2"),
                            ("Do you want to add a sort key to your table?", "n"),
                            ("Do you want to add global secondary indexes to your table?", "")):
        child.expect_exact(expected)
        child.sendline(reply)
    child.expect(r"RESULT (.*)\r\n")
    result = json.loads(child.match.group(1))
    child.expect(pexpect.EOF)
    assert result == {"columns": [{"name": "id", "type": "string"}, {"name": "abv", "type": "number"}],
                      "partition_key": "abv"}


def ask_auth_in_a_terminal(tmp_path, given: dict):
    """`ask` for the auth flow in a pseudo-terminal: (the child, to converse with; a function reading its RESULT)."""
    script = textwrap.dedent(f"""
        import json
        from amplify_nb.prompts import ask
        from amplify_nb.specs.auth import AuthSpec
        spec = ask(AuthSpec(resource_name="beerauth0001"), {given!r})
        print("RESULT " + json.dumps(spec.to_answers()))
    """)
    child = pexpect.spawn(sys.executable, ["-c", script], cwd=str(tmp_path), env=dict(os.environ), encoding="utf-8",
                          timeout=60)

    def result() -> dict:
        child.expect(r"RESULT (.*)\r\n")
        answers = json.loads(child.match.group(1))
        child.expect(pexpect.EOF)
        return answers
    return child, result


def test_add_auth_default_configuration_asks_amplifys_three_questions(tmp_path):
    child, result = ask_auth_in_a_terminal(tmp_path, {})
    child.expect_exact("3. I want to learn more.")
    child.expect_exact("? Do you want to use the default authentication and security configuration? "
                       "[Default configuration]: ")
    child.sendline("")
    child.expect_exact("? How do you want users to be able to sign in? [Email]: ")
    child.sendline("")
    child.expect_exact("? Do you want to configure advanced settings? [No, I am done.]: ")
    child.sendline("")
    answers = result()
    assert "friendly name" not in child.before  # Amplify asks the name only in manual mode
    assert (answers["configuration"], answers["resource_name"], answers["sign_in_with"], answers["advanced"],
            answers["password_min_length"], answers["mfa"]) == ("default", "beerauth0001", "email", "no", 8, "off")


def test_manual_configuration_asks_every_setting_and_menus_take_numbers_labels_and_multi_select(tmp_path):
    child, result = ask_auth_in_a_terminal(tmp_path, {})
    child.expect_exact("configuration? [Default configuration]: ")
    child.sendline("i want")  # the start of "I want to learn more.": the help, then the same question again
    child.expect_exact("Manual configuration walks through every setting")
    child.expect_exact("configuration? [Default configuration]: ")
    child.sendline("MANUAL configuration")  # a label, in another case
    child.expect_exact("Provide a friendly name for your resource that will be used to label this category in the "
                       "project (beerauth0001)")
    child.sendline("beerauth")
    child.expect_exact("How do you want users to be able to sign in? [Email]")
    child.sendline("email or phone")  # the unique start of a label
    child.expect_exact("(y/N)")  # guests: a yes/no default reads as one, not as (False)
    child.sendline("")
    child.expect_exact("Multifactor authentication (MFA) user login options [OFF]")
    child.sendline("optional")  # a value typed in lower case for the label OPTIONAL (...)
    for _ in range(2):  # the verification email's subject and message keep their defaults
        child.expect_exact("? ")
        child.sendline("")
    child.expect_exact("Enter the minimum password length for this User Pool (8)")
    child.sendline("")
    child.expect_exact("Select the password character requirements for your userpool")
    child.expect_exact("e.g. 1,3) [none]")
    child.sendline("1,3")  # numbers
    child.expect_exact("refresh token expiration period (in days) (30)")
    child.sendline("")
    answers = result()
    assert "advanced settings" not in child.before
    assert {k: answers[k] for k in ("configuration", "resource_name", "sign_in_with", "allow_guests",
                                    "password_requirements", "mfa")} == {
        "configuration": "manual", "resource_name": "beerauth", "sign_in_with": "email_or_phone",
        "allow_guests": False, "password_requirements": ["lowercase", "numbers"], "mfa": "optional"}


def test_advanced_settings_yes_asks_the_settings_but_not_the_name(tmp_path):
    child, result = ask_auth_in_a_terminal(tmp_path, {"sign_in_with": "email"})
    child.expect_exact("configuration? [Default configuration]: ")
    child.sendline("1")
    child.expect_exact("? Do you want to configure advanced settings? [No, I am done.]: ")
    child.sendline("2")
    child.expect_exact("(y/N)")
    child.sendline("y")
    for _ in range(6):  # MFA, subject, message, length, characters, refresh token
        child.expect_exact("? ")
        child.sendline("")
    answers = result()
    assert (answers["resource_name"], answers["advanced"], answers["allow_guests"]) == ("beerauth0001", "yes", True)


def test_a_menu_reply_is_matched_by_number_value_label_or_a_unique_label_start():
    from amplify_nb.prompts import match_option, shown

    options = (("DEV", "DEV (S3 only with HTTP)"), ("PROD", "PROD (S3 with CloudFront using HTTPS)"))
    assert [match_option(reply, options) for reply in ("2", "prod", "Prod", "dev (s3 only with http)", "PR")] == \
        ["PROD", "PROD", "PROD", "DEV", "PROD"]
    assert match_option("mars", options) == "mars"  # left for the spec to refuse with its message
    assert (shown(True), shown(False), shown([["lowercase"]]), shown(None)) == ("Yes", "No", "lowercase", "")


def test_what_cannot_be_undone_defaults_to_no_when_enter_is_pressed(monkeypatch, capsys):
    from amplify_nb import prompts

    monkeypatch.setattr(prompts, "terminal", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt="": "")
    args = SimpleNamespace(yes=False)
    assert prompts.confirm(args, "Are you sure you want to continue? This CANNOT be undone.", default=False) is False
    assert prompts.confirm(args, "Initialize the project with the above configuration?") is True
