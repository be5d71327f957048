"""add api's answers: Amplify's defaults and rules and messages, the tutorial's `new_function: true`, the nested
function and table flows, more paths, the authorization modes, and the overlap warning (said, not refused)."""
from __future__ import annotations

import pytest

from amplify_nb.categories.api import cli_inputs, invoke_policy, resource_paths, spec_from_inputs
from amplify_nb.errors import InputError
from amplify_nb.specs.api import ApiSpec, normalized, overlaps, path_problem, table_name_for
from amplify_nb.specs.base import ProjectResource

AUTH = ProjectResource("auth", "beerauth", "Cognito")
FUNCTION = ProjectResource("function", "listBeers", "Lambda")


def spec(answers: dict, resources=(AUTH,)) -> ApiSpec:
    return ApiSpec.for_project("beerapp", resources, answers)


def messages(answers: dict, resources=(AUTH,)) -> list[str]:
    return [p.message for p in spec(answers, resources).problems()]


def test_defaults_are_amplifys_and_valid_with_auth_in_the_project():
    api = spec({})
    assert api.name.startswith("api") and len(api.name) == 11 and api.path == "/items"
    assert (api.lambda_source, api.restrict_access, api.who, api.authorization) == ("new", True, "authenticated", "iam")
    assert api.auth_permissions == ["create", "read", "update", "delete"] and api.problems() == []


def test_new_function_true_is_the_tutorials_crud_function_with_a_table_named_after_the_path():
    api = spec({"name": "beerapi", "path": "/beer", "new_function": True})
    function = api.new_function_spec()
    assert (function.template, function.data_source, function.crud_table) == ("crud-dynamodb", "new", "beer")
    table = function.new_table_spec()
    assert (table.table_name, table.partition_key, table.columns) == ("beer", "id", [{"name": "id", "type": "string"}])
    assert api.function_name == function.name and api.problems() == []
    # the default names are stable for this API (asking twice gives the same function)
    assert spec({"name": "beerapi", "path": "/beer", "new_function": True}).function_name == function.name


def test_function_answers_start_from_the_tutorials_defaults_and_may_carry_the_table():
    api = spec({"path": "/beer", "new_function": {"name": "beerLambda", "new_table": {"resource_name": "beers",
                                                                                      "table_name": "beertable"}}})
    function = api.new_function_spec()
    assert (function.name, function.template, function.crud_table) == ("beerLambda", "crud-dynamodb", "beers")
    assert function.new_table_spec().table_name == "beertable"
    hello = spec({"new_function": {"name": "hello", "template": "hello-world"}}).new_function_spec()
    assert hello.crud_table == "" and hello.new_table_spec() is None


@pytest.mark.parametrize("path, message", [
    ("beer", "Path must begin with / e.g. /items"),
    ("/beer/", "Path must not end with /"),
    ("/be er", "Each path part must use characters a-z A-Z 0-9 -"),
    ("/beer//x", "Each path part must use characters"),
    ("/beer/{id", "Each path part must use characters"),
    ("", "The path must be a text starting with /"),
])
def test_amplifys_path_rules(path, message):
    assert path_problem(path).startswith(message)
    assert any(m.startswith(message) for m in messages({"path": path}))


@pytest.mark.parametrize("path", ["/", "/items", "/book/{isbn}", "/a-b/c1/{x-y}"])
def test_paths_amplify_accepts(path):
    assert path_problem(path) == ""


@pytest.mark.parametrize("answers, message", [
    ({"name": "my-api"}, "Resource name should be alphanumeric"),
    ({"name": "AdminQueries"}, "AdminQueries is a reserved name for REST API resources"),
    ({"function": "listBeers", "new_function": {"name": "x"}}, "function and new_function are mutually exclusive"),
    ({"function": "nosuch"}, "The project has no function 'nosuch'"),
    ({"new_function": False, "function": "nosuch"}, "The project has no function 'nosuch' (functions: listBeers)."),
    ({"new_function": False}, None),  # the project's only function is the default
    ({"new_function": {"name": "listBeers"}}, "the project already has a function named 'listBeers'"),
    ({"new_function": "yes please"}, "new_function must be true or a mapping of function answers"),
    ({"auth_permissions": []}, "Select at least one permission for Authenticated users"),
    ({"auth_permissions": ["read", "read"]}, "Each permission for Authenticated users may appear only once."),
    ({"who": "everyone"}, "Who should have access must be one of"),
    ({"who": "authenticated_and_guests", "guest_permissions": []}, "Select at least one permission for Guest users"),
    ({"authorization": "apikey"}, "The authorization must be one of: iam, cognito"),
    ({"who": "authenticated_and_guests", "authorization": "cognito"},
     "A Cognito user-pool authorizer admits only signed-in users (guests have no ID token)"),
])
def test_rules_and_their_messages(answers, message):
    found = messages(answers, (AUTH, FUNCTION))
    if message is None:
        assert found == []
    else:
        assert any(message in m for m in found), found


def test_restricting_needs_auth_and_an_open_api_does_not():
    assert any("add auth first" in m for m in messages({}, ()))
    assert messages({"restrict_access": False}, ()) == []
    assert not spec({"restrict_access": False}, ()).applies("authorization")


def test_without_a_project_only_the_shapes_are_checked():
    assert ApiSpec.from_answers({"new_function": False, "function": "anything"}).problems() == []


def test_more_paths_are_rows_with_their_own_function_and_access():
    api = spec({"path": "/beer", "new_function": {"name": "beerLambda"}, "more_paths": [
        {"path": "/brewery/{id}", "function": "listBeers", "restrict_access": "no"},
        {"path": "/stats", "function": "beerLambda", "who": "authenticated_and_guests", "auth_permissions": "read",
         "guest_permissions": "read"}]}, (AUTH, FUNCTION))
    assert api.problems() == []
    assert [(r["path"], r["function"], r["restrict_access"], r["auth_permissions"], r["guest_permissions"])
            for r in api.paths()] == [
        ("/beer", "beerLambda", True, ["create", "read", "update", "delete"], []),
        ("/brewery/{id}", "listBeers", False, [], []),
        ("/stats", "beerLambda", True, ["read"], ["read"])]
    assert api.functions() == ["beerLambda", "listBeers"]
    assert api.path_functions() == ["listBeers", "beerLambda"]


@pytest.mark.parametrize("rows, message", [
    ([{"path": "/beer", "function": "listBeers"}], "Path /beer is already used by this API (/beer)."),
    ([{"path": "/x/{a}", "function": "listBeers"}, {"path": "/x/{b}", "function": "listBeers"}], "already used"),
    ([{"path": "/x", "function": "ghost"}], "the project has no function 'ghost'"),
    ([{"path": "x", "function": "listBeers"}], "Path 1: Path must begin with /"),
    ([{"path": "/x"}], "Path 1: Choose the Lambda function this path invokes."),
    ([{"path": "/x", "function": "listBeers", "colour": "red"}], "Unknown answer 'colour' for api path"),
])
def test_bad_more_paths(rows, message):
    try:
        found = messages({"path": "/beer", "more_paths": rows}, (AUTH, FUNCTION))
    except InputError as exc:
        found = [p.message for p in exc.problems]
    assert any(message in m for m in found), found


def test_overlapping_paths_are_a_warning_not_a_problem():
    api = spec({"path": "/beer", "more_paths": [{"path": "/beer/{id}/brewery", "function": "listBeers"}]},
               (AUTH, FUNCTION))
    assert api.problems() == []
    assert api.path_warnings() == ["This path /beer/{id}/brewery overlaps with /beer. Users authorized to access "
                                   "/beer will also have access to /beer/{id}/brewery."]
    assert overlaps("/", "/beer") and not overlaps("/beer", "/beers") and not overlaps("/a/{x}", "/a/{y}")
    assert normalized("/a/{x}/b/{y}") == "/a/{}/b/{}"


def test_table_names_follow_the_path():
    assert [table_name_for(p) for p in ("/beer", "/book/{isbn}", "/{id}", "/ab", "/my-beers")] == [
        "beer", "book", "items", "abtable", "mybeers"]


def test_update_may_not_rename_the_api():
    old = spec({"name": "beerapi"})
    assert [p.message for p in spec({"name": "other"}).problems_for_update(old)] == [
        "The API's name cannot be changed (it is 'beerapi')."]


def test_cli_inputs_are_amplifys_shape_and_read_back_as_the_same_answers():
    api = spec({"name": "beerapi", "path": "/beer", "new_function": {"name": "beerLambda"}, "more_paths": [
        {"path": "/open", "function": "listBeers", "restrict_access": False},
        {"path": "/guests", "function": "listBeers", "who": "authenticated_and_guests", "guest_permissions": ["read"]}]},
        (AUTH, FUNCTION))
    inputs = cli_inputs(api)
    assert inputs["version"] == 1 and inputs["authorization"] == "iam"
    assert inputs["paths"]["/beer"] == {"name": "/beer", "lambdaFunction": "beerLambda", "permissions": {
        "setting": "private", "auth": ["create", "read", "update", "delete"]}}
    assert inputs["paths"]["/open"]["permissions"] == {"setting": "open"}
    assert inputs["paths"]["/guests"]["permissions"] == {"setting": "protected", "auth": [
        "create", "read", "update", "delete"], "guest": ["read"]}
    back = spec_from_inputs("beerapi", inputs, "beerapp", (AUTH, FUNCTION, ProjectResource("function", "beerLambda")))
    assert back.paths() == api.paths() and back.lambda_source == "project" and back.problems() == []


def test_resources_and_invoke_policy_of_a_path():
    assert resource_paths("/beer") == ["/beer", "/beer/{proxy+}"]
    assert resource_paths("/a/b/{id}") == ["/a", "/a/b", "/a/b/{id}", "/a/b/{id}/{proxy+}"]
    assert resource_paths("/") == ["/", "/{proxy+}"]
    policy = invoke_policy("us-east-1", "123456789012", "abc", "dev", [("/book/{isbn}", ["update"])])
    assert [str(r) for r in policy["Statement"][0]["Resource"]] == [
        "arn:aws:execute-api:us-east-1:123456789012:abc/dev/PUT/book/*",
        "arn:aws:execute-api:us-east-1:123456789012:abc/dev/PUT/book/*/*",
        "arn:aws:execute-api:us-east-1:123456789012:abc/dev/PATCH/book/*",
        "arn:aws:execute-api:us-east-1:123456789012:abc/dev/PATCH/book/*/*"]


def test_the_terminal_asks_the_tutorials_questions_in_amplifys_order(monkeypatch):
    import sys

    from amplify_nb.prompts import ask

    replies = iter(["beerapi", "/beer", "", "beerLambda", "", "", "", "", "", "id", "", "n", "", "n", "n", "n",
                    "", "", "", "n", ""])
    prompts = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt="": prompts.append(prompt) or next(replies))
    answered = ask(spec({}), {})
    asked = [p.split(" (")[0].split(" [")[0].strip() for p in prompts]
    assert asked == [
        "? Provide a friendly name for your resource to be used as a label for this category in the project",
        "? Provide a path", "? Choose a Lambda source", "? Provide an AWS Lambda function name",
        "? Choose the runtime that you want to use", "? Choose the function template that you want to use",
        "? Choose a DynamoDB data source option",
        "? Please provide a friendly name for your resource that will be used to label this category in the project",
        "? Please provide table name", "? What would you like to name this column", "? Please choose the data type",
        "? Would you like to add another column?", "? Please choose partition key for the table",
        "? Do you want to add a sort key to your table?", "? Do you want to add global secondary indexes to your table?",
        "? Do you want to configure advanced settings?", "? Restrict API access?", "? Who should have access?",
        "? What permissions do you want to grant to Authenticated users?", "? Do you want to add another path?",
        "? How should callers prove who they are?"]
    assert "(beer)" in prompts[7]  # the new table is named after the path
    function = answered.new_function_spec()
    assert (answered.name, answered.path, function.name, function.crud_table) == ("beerapi", "/beer", "beerLambda", "beer")
    assert answered.problems() == [] and answered.more_paths == []


def test_a_further_paths_guest_question_is_asked_only_for_guests(monkeypatch):
    import sys

    from amplify_nb.prompts import ask_rows

    replies = iter(["y", "/open", "1", "n", "y", "/guests", "1", "", "2", "read", "read", "n"])
    prompts = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt="": prompts.append(prompt) or next(replies))
    api = spec({"new_function": False}, (AUTH, FUNCTION))
    rows = ask_rows(api.question("more_paths"), api)
    assert rows == [{"path": "/open", "function": "listBeers", "restrict_access": False},
                    {"path": "/guests", "function": "listBeers", "restrict_access": True,
                     "who": "authenticated_and_guests", "auth_permissions": ["read"], "guest_permissions": ["read"]}]
    assert sum("Guest users" in p for p in prompts) == 1


def test_the_form_renders_the_api_with_the_new_function_as_a_form_inside_it():
    from amplify_nb.widgets.forms import NestedInput, RowsInput, SpecForm

    form = SpecForm(spec({}, (AUTH, FUNCTION)))
    assert isinstance(form.inputs["new_function"], NestedInput) and isinstance(form.inputs["more_paths"], RowsInput)
    assert form.spec.new_function_spec().crud_table == "items"
    form.set(path="/beer")  # the new table, not touched yet, follows the path
    assert form.spec.new_function_spec().crud_table == "beer" and form.spec.problems() == []
    form.set(more_paths=[{"path": "/stats", "function": "listBeers"}])
    assert form.spec.paths()[1]["auth_permissions"] == ["create", "read", "update", "delete"]
    form.set(lambda_source="project")
    assert (form.spec.function, form.spec.new_function_spec()) == ("listBeers", None)


def test_the_answers_of_an_api_that_exists_may_name_its_new_function_again():
    """A notebook run twice gives the same answers: the function added with the API is the one it uses."""
    existing = (AUTH, ProjectResource("api", "beerapi", "API Gateway"), ProjectResource("function", "beerLambda"))
    api = spec({"name": "beerapi", "path": "/beer", "new_function": {"name": "beerLambda"}}, existing)
    assert api.problems() == [] and api.functions() == ["beerLambda"]
    other = spec({"name": "beerapi", "new_function": {"name": "otherLambda"}}, existing)
    assert any("an update does not add functions" in m for m in [p.message for p in other.problems()])
