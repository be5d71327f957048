"""The init form shows each problem next to its field, follows the framework's defaults, and calls the action."""
from amplify_nb.specs import InitSpec
from amplify_nb.widgets import SpecForm


def init_form(tmp_path, action=None):
    folder = tmp_path / "beer"
    return SpecForm(InitSpec.for_project(folder), action=action, submit_label="Initialize",
                    defaults=lambda answers: InitSpec.for_project(folder, answers))


def test_a_bad_name_shows_amplifys_message_beside_the_name_and_blocks_the_button(tmp_path):
    form = init_form(tmp_path)
    form.set(name="ab")
    assert "between 3 and 20 characters" in form.messages["name"].value
    assert form.messages["env"].value == ""
    assert form.button.disabled
    form.set(name="beerapp")
    assert form.messages["name"].value == "" and not form.button.disabled


def test_choosing_a_framework_updates_untouched_folders_only(tmp_path):
    form = init_form(tmp_path)
    form.set(source_dir="app")
    form.set(framework="react")
    assert form.inputs["distribution_dir"].value == "build"
    assert form.inputs["source_dir"].value == "app"


def test_the_button_runs_the_action_with_the_forms_spec(tmp_path):
    received = []
    form = init_form(tmp_path, action=received.append)
    form.set(env="prod")
    form.button.click()
    assert received == [InitSpec.for_project(tmp_path / "beer", {"env": "prod"})]


def test_every_question_has_a_readable_label(tmp_path):
    form = init_form(tmp_path)
    labels = [row.children[0].children[0].value for row in form.widget.children if hasattr(row, "children") and row.children
              and hasattr(row.children[0], "children")]
    assert len(labels) == len(InitSpec.questions())
    assert any("Enter a name for the project" in label for label in labels)
