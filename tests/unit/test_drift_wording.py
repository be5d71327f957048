"""How drift names what changed: a planned call's parameters against what its rule read from the cloud.

The wording is what a trainee reads in `status --drift` ("MinimumLength: 8 -> 6 in the cloud") and in the push
plan ("repairs drift: MinimumLength 6 -> 8"); addresses (ids, names) are never reported as settings."""
from amplify_nb.deploy import DisplayOnly, JsonText, Plan, Var, Wait
from amplify_nb.deploy.calldiff import ABSENT, CallChange, SettingChange, call_changes
from amplify_nb.deploy.plan import APICall

POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
                                                  "Resource": "arn:aws:dynamodb:us-east-1:1:table/beer-dev"}]}


def texts(call: APICall, *reads: dict) -> list[str]:
    return [change.drift_text() for change in call_changes(call, list(reads))]


def test_a_nested_setting_is_named_by_its_path_with_the_pushed_then_the_cloud_value():
    call = APICall("pool", "update", "cognito-idp", "update_user_pool", {
        "UserPoolId": "us-east-1_x", "Policies": {"PasswordPolicy": {"MinimumLength": 8, "RequireNumbers": False}}})
    read = {"UserPool": {"Id": "us-east-1_x", "Policies": {"PasswordPolicy": {"MinimumLength": 6, "RequireNumbers": False}}},
            "ResponseMetadata": {"HTTPStatusCode": 200}}
    [change] = call_changes(call, [read])
    assert change == SettingChange(("Policies", "PasswordPolicy", "MinimumLength"), cloud=6, wanted=8)
    assert change.drift_text() == "Policies.PasswordPolicy.MinimumLength: 8 -> 6 in the cloud"
    assert change.repair_text() == "MinimumLength 6 -> 8"


def test_a_parameter_is_found_under_another_parent_in_the_read():
    call = APICall("table", "update", "dynamodb", "update_table", {"TableName": "beer-dev", "BillingMode": "PAY_PER_REQUEST"})
    read = {"Table": {"TableName": "beer-dev", "BillingModeSummary": {"BillingMode": "PROVISIONED"}}}
    assert texts(call, read) == ["BillingMode: PAY_PER_REQUEST -> PROVISIONED in the cloud"]


def test_a_variable_added_or_removed_in_the_cloud_is_named():
    call = APICall("fn", "update", "lambda", "update_function_configuration", {
        "FunctionName": "fn-dev", "MemorySize": 128, "Environment": {"Variables": {"ENV": "dev", "TABLE": "beer-dev"}}})
    read = {"Configuration": {"FunctionName": "fn-dev", "MemorySize": 128,
                              "Environment": {"Variables": {"ENV": "dev", "DEBUG": "1"}}}, "Tags": {"a": "b"}}
    assert texts(call, read) == ["Environment.Variables.TABLE: beer-dev -> missing in the cloud",
                                 "Environment.Variables.DEBUG: not pushed -> 1 in the cloud"]


def test_tags_the_cloud_has_beyond_those_a_call_sets_are_not_drift():
    call = APICall("fn", "update", "lambda", "tag_resource", {"Resource": "arn:fn", "Tags": {"amplify-nb:stack": "s"}})
    read = {"Configuration": {}, "Tags": {"user:team": "data"}}
    assert texts(call, read) == ["Tags.amplify-nb:stack: s -> missing in the cloud"]


def test_a_document_the_cloud_lost_is_missing_and_one_sent_as_text_is_compared_as_a_document():
    call = APICall("b", "update", "s3", "put_bucket_policy", {"Bucket": "b", "Policy": JsonText(POLICY)})
    [change] = call_changes(call, [{}])  # get_bucket_policy said NoSuchBucketPolicy
    assert change.cloud is ABSENT and change.wanted == POLICY
    assert change.drift_text().startswith('Policy: {"Version": "2012-10-17"') and change.drift_text().endswith(
        "-> missing in the cloud")
    assert change.repair_text().startswith("Policy (none) -> {")


def test_a_list_of_actions_says_what_was_taken_out_and_added():
    call = APICall("p", "update", "iam", "put_role_policy", {"RoleName": "r", "PolicyName": "p",
                                                             "PolicyDocument": JsonText(POLICY)})
    edited = {**POLICY, "Statement": [{**POLICY["Statement"][0], "Action": "dynamodb:DeleteTable"}]}
    assert texts(call, {"RoleName": "r", "PolicyDocument": edited}) == [
        "PolicyDocument.Statement.Action: dynamodb:GetItem, dynamodb:PutItem missing in the cloud; "
        "dynamodb:DeleteTable added in the cloud"]
    assert texts(call, {"PolicyDocument": {**POLICY, "Statement": [{**POLICY["Statement"][0],
                                                                    "Action": ["dynamodb:PutItem", "dynamodb:GetItem"]}]}}) == [
        "push would call put_role_policy"]  # the same actions in another order are no setting change


def test_a_parameter_is_found_under_a_longer_name_and_keys_with_dots_stay_whole():
    trust = {"Statement": [{"Effect": "Allow", "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": "pool-1"}}}]}
    edited = {"Statement": [{"Effect": "Allow", "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": "pool-2"}}}]}
    call = APICall("role", "update", "iam", "update_assume_role_policy", {"RoleName": "r", "PolicyDocument": JsonText(trust)})
    [change] = call_changes(call, [{"Role": {"RoleName": "r", "AssumeRolePolicyDocument": edited}}])
    assert change.path == ("PolicyDocument", "Statement", "Condition", "StringEquals", "cognito-identity.amazonaws.com:aud")
    assert change.drift_text() == ("PolicyDocument.Statement.Condition.StringEquals.cognito-identity.amazonaws.com:aud: "
                                   "pool-1 -> pool-2 in the cloud")
    assert change.repair_text() == "cognito-identity.amazonaws.com:aud pool-2 -> pool-1"


def test_a_call_with_no_setting_to_compare_is_named_after_what_it_acts_on():
    call = APICall("api", "delete", "apigateway", "delete_resource", {"restApiId": "a1", "resourceId": "r9"})
    apis = {"items": [{"id": "a1", "name": "beer-dev"}]}
    resources = {"items": [{"id": "r0", "path": "/"}, {"id": "r9", "path": "/extra", "pathPart": "extra"}]}
    [change] = call_changes(call, [apis, resources])
    assert change == CallChange("delete_resource beer-dev /extra")
    assert change.drift_text() == "push would call delete_resource beer-dev /extra"


def test_an_id_known_only_once_the_plan_runs_and_an_ambiguous_name_are_not_settings():
    call = APICall("api", "update", "apigateway", "create_deployment", {
        "restApiId": Var("api.Id"), "stageName": "dev", "description": "amplify-nb 123"})
    reads = [{"description": "amplify-nb 999"}, {"description": "another"}]  # two nodes of that name disagree
    assert texts(call, *reads) == ["push would call create_deployment description amplify-nb 123"]


def test_the_push_plan_shows_why_a_step_runs():
    step = APICall("dynamodb.Table:beer-dev", "update", "dynamodb", "update_table", {"TableName": "beer-dev"})
    plan = Plan([step, Wait("dynamodb.Table:beer-dev", "dynamodb", "table_exists")],
                reasons={1: "repairs drift: BillingMode PROVISIONED -> PAY_PER_REQUEST"})
    shown = DisplayOnly(plan)
    assert "update dynamodb.Table:beer-dev (1 step): repairs drift: BillingMode PROVISIONED -> PAY_PER_REQUEST" in shown.summary()
    assert "(repairs drift: BillingMode PROVISIONED -> PAY_PER_REQUEST)" in shown.text()
    assert list(shown.table()["why"]) == ["repairs drift: BillingMode PROVISIONED -> PAY_PER_REQUEST", ""]
    assert "why" not in DisplayOnly(Plan([step])).table().columns
