"""What a person reads while a push runs and after it: labels never cut a word, summaries add up to the bar."""
from amplify_nb.deploy.executor import PROGRESS_LABEL_WIDTH, progress_label
from amplify_nb.deploy.plan import APICall, Plan, Wait
from amplify_nb.project.push import PushResult


def test_a_long_resource_is_shortened_from_its_start_and_the_call_stays_whole():
    step = APICall("amplify-tutorial-dev-20261201123456-unauthRole/beerapi-api-access", "create", "iam",
                   "put_role_policy")
    label = progress_label(step)
    assert len(label) <= PROGRESS_LABEL_WIDTH
    assert label.endswith(": iam.put_role_policy")
    assert label.startswith("…") and "beerapi-api-access" in label


def test_a_short_label_is_left_as_it_is():
    assert progress_label(APICall("beer-dev", "create", "dynamodb", "create_table")) == "beer-dev: dynamodb.create_table"
    assert progress_label(Wait("beer-dev", "dynamodb", "table_exists")) == "beer-dev: wait table_exists"


def test_the_summary_names_the_waits_so_calls_and_waits_add_up_to_the_steps():
    result = PushResult(plan=Plan([]), calls_made=["s3.create_bucket"] * 7,
                        waits_done=["deployment-bucket: bucket_exists"])
    assert result.summary() == "7 cloud calls and 1 wait (deployment-bucket: bucket_exists)"
    assert PushResult(plan=Plan([]), calls_made=["s3.create_bucket"]).summary() == "1 cloud call"


def test_view_tables_show_ids_whole_and_say_what_an_empty_table_means():
    import pandas as pd

    from amplify_nb.views import plan_table, table

    arn = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_" + "A" * 60
    shown = table(pd.DataFrame([{"setting": "Arn", "value": arn}]))
    assert arn in shown._repr_html_() and arn in repr(shown)
    assert shown[shown["setting"] == "Arn"].iloc[0]["value"] == arn  # still a DataFrame to work with

    empty = plan_table(Plan([]))
    assert empty.empty and "Nothing to push" in empty._repr_html_() and "Nothing to push" in repr(empty)
    steps = plan_table(Plan([APICall("beer-dev", "create", "dynamodb", "create_table")]))
    assert steps.index.name == "step" and list(steps.index) == [1]


def test_the_confirmation_before_a_push_summarizes_the_plan_per_resource():
    from amplify_nb.deploy import DisplayOnly

    plan = Plan([APICall("beer-dev", "create", "dynamodb", "create_table"), Wait("beer-dev", "dynamodb", "table_exists"),
                 APICall("beerfn-dev", "create", "lambda", "create_function")])
    summary = DisplayOnly(plan).summary()
    assert "3 step(s)" in summary and "amplify-nb push --plan" in summary
    assert "create beer-dev (1 step)" in summary and "wait   beer-dev (1 step)" in summary
    assert "lambda.create_function" not in summary  # the calls themselves are for --plan
    assert DisplayOnly(Plan([])).summary() == "No changes: the cloud already matches the project."


def test_a_long_json_file_reads_as_a_settings_table_with_the_file_folded(tmp_path):
    import json

    from amplify_nb.views import settings_table, show_json

    path = tmp_path / "cli-inputs.json"
    path.write_text(json.dumps({"version": "1", "cognitoConfig": {"mfaTypes": [], "usernameAttributes": ["email"],
                                                                  "triggers": {}, "policy": [{"Fn::GetAtt": ["a", "b"]}]}}))
    settings = settings_table(path)["value"]
    assert settings["cognitoConfig.usernameAttributes"] == "email" and settings["cognitoConfig.mfaTypes"] == ""
    assert settings["cognitoConfig.policy[0].Fn::GetAtt"] == "a, b"
    folded = show_json(path, folded=True).data
    assert folded.startswith("<details>") and "click to show" in folded and "usernameAttributes" in folded
