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


# --- repeated, conditional and access answers ----------------------------------------------------------------
from amplify_nb.specs import FunctionSpec, ProjectResource, StorageSpec  # noqa: E402

PROJECT = [ProjectResource("storage", "beer", "DynamoDB"), ProjectResource("storage", "photos", "S3"),
           ProjectResource("auth", "beerauth", "Cognito")]


def shown(form) -> set[str]:
    return {name for name, row in form.rows.items() if row.layout.display != "none"}


def test_columns_are_rows_added_and_removed_and_keys_follow_them():
    form = SpecForm(StorageSpec.for_project("beerapp"))
    columns = form.inputs["columns"]
    columns.add_row({"name": "abv", "type": "number"})
    columns.add_row({"name": "tags", "type": "string-set"})
    assert form.spec.columns == [{"name": "id", "type": "string"}, {"name": "abv", "type": "number"},
                                 {"name": "tags", "type": "string-set"}]
    assert [value for _, value in form.inputs["partition_key"].options] == ["id", "abv"]  # key types only
    assert [value for _, value in form.inputs["sort_key"].options] == ["", "abv"]  # optional, not the partition key
    columns.remove_row(1)
    assert [c["name"] for c in form.spec.columns] == ["id", "tags"]
    assert [value for _, value in form.inputs["partition_key"].options] == ["id"]


def test_a_bad_row_is_shown_inline_and_blocks_the_button():
    form = SpecForm(StorageSpec.for_project("beerapp"))
    form.inputs["columns"].add_row({"name": "a b"})
    assert "Column 2 (a b): You can use the following characters: a-z A-Z 0-9 - _" in form.messages["columns"].value
    assert form.button.disabled
    form.inputs["columns"].row_inputs[1]["name"].value = "abv"
    assert form.messages["columns"].value == "" and not form.button.disabled


def test_a_gsi_row_chooses_its_keys_among_the_columns():
    form = SpecForm(StorageSpec.for_project("beerapp", answers={"columns": "id:string,style:string"}))
    form.inputs["gsis"].add_row()
    row = form.inputs["gsis"].row_inputs[0]
    assert [value for _, value in row["partition_key"].options] == ["id", "style"]
    assert form.button.disabled  # a GSI without a name
    row["name"].value, row["partition_key"].value = "byStyle", "style"
    assert form.spec.gsis == [{"name": "byStyle", "partition_key": "style"}]
    form.inputs["columns"].add_row({"name": "abv", "type": "number"})
    assert [value for _, value in row["sort_key"].options] == ["", "id", "style", "abv"]
    row["sort_key"].value = "abv"
    assert form.spec.gsis == [{"name": "byStyle", "partition_key": "style", "sort_key": "abv"}]
    form.inputs["gsis"].remove_row(0)
    assert form.spec.gsis == []


def test_content_questions_are_hidden_until_content_is_chosen_and_the_name_follows():
    form = SpecForm(StorageSpec.for_project("beerapp", PROJECT))
    assert {"table_name", "columns", "gsis"} <= shown(form) and "bucket_name" not in shown(form)
    token = form.inputs["resource_name"].value[-8:]
    form.set(service="content")
    assert "columns" not in shown(form) and {"bucket_name", "storage_access", "auth_access"} <= shown(form)
    assert "guest_access" not in shown(form)
    assert form.inputs["resource_name"].value == "s3" + token
    form.set(storage_access="auth_and_guest")
    assert "guest_access" in shown(form)
    assert form.spec.service == "content" and form.spec.guest_access == ["read"]


def test_function_form_shows_table_questions_for_crud_only_and_access_as_checkboxes():
    form = SpecForm(FunctionSpec.for_project("beerapp", PROJECT, {"name": "beerfn"}))
    assert not {"data_source", "table", "new_table", "access", "timeout"} & shown(form)
    form.set(template="crud-dynamodb")
    assert {"data_source", "table"} <= shown(form) and "new_table" not in shown(form)
    assert [value for _, value in form.inputs["table"].options] == ["beer"] and form.spec.table == "beer"
    form.set(advanced_settings=True)
    boxes = form.inputs["access"].boxes
    assert {(c, r) for c, r, _ in boxes} == {("storage", "beer"), ("storage", "photos"), ("auth", "beerauth")}
    boxes[("storage", "photos", "read")].value = True
    boxes[("storage", "photos", "delete")].value = True
    boxes[("auth", "beerauth", "read")].value = True
    assert form.spec.access == {"storage": {"photos": ["read", "delete"]}, "auth": {"beerauth": ["read"]}}
    boxes[("storage", "photos", "delete")].value = False
    assert form.spec.access == {"storage": {"photos": ["read"]}, "auth": {"beerauth": ["read"]}}


def test_a_new_table_is_a_storage_form_inside_the_function_form():
    form = SpecForm(FunctionSpec.for_project("beerapp", PROJECT, {"name": "beerfn", "template": "crud-dynamodb"}))
    form.set(data_source="new")
    assert "new_table" in shown(form) and "table" not in shown(form)
    nested = form.inputs["new_table"].form
    assert "service" not in nested.inputs  # always a NoSQL table here
    nested.set(table_name="beers")
    nested.inputs["columns"].add_row({"name": "abv", "type": "number"})
    spec = form.spec
    assert spec.table == "" and spec.new_table["table_name"] == "beers"
    assert spec.new_table_spec().columns == [{"name": "id", "type": "string"}, {"name": "abv", "type": "number"}]


def test_environment_variables_are_typed_as_name_value_pairs():
    form = SpecForm(FunctionSpec.for_project("beerapp", PROJECT, {"name": "beerfn", "advanced_settings": True}))
    form.set(environment="STAGE=dev, 1BAD=x")
    assert "must start with a letter" in form.messages["environment"].value and form.button.disabled
    form.set(environment={"STAGE": "dev"})
    assert form.spec.environment == {"STAGE": "dev"}


def test_the_authenticators_messages_name_its_buttons_not_python_calls():
    from amplify_nb.widgets.authenticator import Authenticator

    message = Authenticator.in_buttons("That reset code is wrong: ask again with forgot_password() or "
                                       "finish with confirm_forgot_password().")
    assert message == "That reset code is wrong: ask again with “Forgot your password?” or finish with “Submit”."


def test_the_auth_form_shows_amplifys_three_questions_until_manual_or_advanced_settings_are_chosen():
    from amplify_nb.specs.auth import AuthSpec

    form = SpecForm(AuthSpec(resource_name="beerauth0001"))
    assert shown(form) == {"configuration", "sign_in_with", "advanced"}
    form.set(advanced="yes")
    assert {"allow_guests", "password_min_length", "mfa"} <= shown(form) and "resource_name" not in shown(form)
    form.set(configuration="manual")
    assert {"resource_name", "password_min_length"} <= shown(form) and "advanced" not in shown(form)
    assert form.spec.configuration == "manual" and not form.button.disabled
