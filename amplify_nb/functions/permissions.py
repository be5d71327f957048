"""What a function's execution role may do: exactly what its resource-access answers ask for, as Amplify grants it.

Amplify's answer is {category: {resource: [create, read, update, delete]}}. For a DynamoDB table each operation
maps to the actions below on the table's ARN and its indexes (`<arn>/index/*`); for an S3 bucket to object
actions on `<arn>/*`, plus s3:ListBucket on the bucket for read. Every function may also write its own logs, and
only its own: /aws/lambda/<function name>.
"""
from __future__ import annotations

from collections.abc import Mapping

from ..errors import InputError, Problem

OPERATIONS = ("create", "read", "update", "delete")

DYNAMODB_ACTIONS = {
    "create": ("dynamodb:Put*", "dynamodb:Create*", "dynamodb:BatchWriteItem", "dynamodb:PartiQLInsert"),
    "read": ("dynamodb:Get*", "dynamodb:BatchGetItem", "dynamodb:List*", "dynamodb:Describe*", "dynamodb:Scan",
             "dynamodb:Query", "dynamodb:PartiQLSelect"),
    "update": ("dynamodb:Update*", "dynamodb:RestoreTable*", "dynamodb:PartiQLUpdate"),
    "delete": ("dynamodb:Delete*", "dynamodb:PartiQLDelete"),
}
S3_OBJECT_ACTIONS = {"create": ("s3:PutObject",), "read": ("s3:GetObject",), "update": ("s3:PutObject",),
                     "delete": ("s3:DeleteObject",)}

LOGS_POLICY = "lambda-execution-policy"
RESOURCES_POLICY = "amplify-resources-policy"
LAMBDA_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def log_group_arn(function_name: str, region: str, account: str) -> str:
    return f"arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{function_name}"


def logs_policy(function_name: str, region: str, account: str) -> dict:
    """Create the function's own log group and write its streams; nothing else in CloudWatch Logs."""
    group = log_group_arn(function_name, region, account)
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["logs:CreateLogGroup"], "Resource": f"{group}:*"},
        {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": f"{group}:log-stream:*"},
    ]}


def access_statements(access: Mapping[str, Mapping[str, list[str]]],
                      arns: Mapping[str, Mapping[str, str]]) -> list[dict]:
    """IAM statements for the access answers; `arns` gives each resource's table or bucket ARN, in the same shape.

    The ARN says what the resource is (arn:aws:dynamodb:...:table/..., arn:aws:s3:::bucket). Unknown operations,
    categories or resources without an ARN are refused: a typo must not quietly grant nothing (or everything).
    """
    problems, statements = [], []
    for category, resources in sorted(access.items()):
        for resource, operations in sorted(resources.items()):
            unknown = [op for op in operations if op not in OPERATIONS]
            arn = (arns.get(category) or {}).get(resource)
            if unknown:
                problems.append(Problem("access", f"{category}/{resource}: unknown operation(s) {', '.join(map(str, unknown))}; "
                                                  f"choose from {', '.join(OPERATIONS)}."))
            elif arn is None:
                problems.append(Problem("access", f"{category}/{resource}: no such resource in the project."))
            elif operations:
                try:
                    statements += _statements(arn, [op for op in OPERATIONS if op in operations])
                except ValueError as exc:
                    problems.append(Problem("access", f"{category}/{resource}: {exc}"))
    if problems:
        raise InputError(problems)
    return statements


def execution_role_policies(function_name: str, region: str, account: str,
                            access: Mapping[str, Mapping[str, list[str]]] | None = None,
                            arns: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, dict]:
    """The execution role's inline policies by name: its logs, plus the resource access asked for (if any)."""
    policies = {LOGS_POLICY: logs_policy(function_name, region, account)}
    statements = access_statements(access or {}, arns or {})
    if statements:
        policies[RESOURCES_POLICY] = {"Version": "2012-10-17", "Statement": statements}
    return policies


def _statements(arn: str, operations: list[str]) -> list[dict]:
    if not isinstance(arn, str):  # the index ARN is built from it: a reference resolved later would not do
        raise ValueError(f"the ARN must be known when the policy is made (table_arn() gives a table's), not {arn!r}")
    if arn.startswith("arn:aws:dynamodb:") and ":table/" in arn:
        actions = _unique(action for op in operations for action in DYNAMODB_ACTIONS[op])
        return [{"Effect": "Allow", "Action": actions, "Resource": [arn, f"{arn}/index/*"]}]
    if arn.startswith("arn:aws:s3:::"):
        statements = []
        if "read" in operations:
            statements.append({"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [arn]})
        actions = _unique(action for op in operations for action in S3_OBJECT_ACTIONS[op])
        statements.append({"Effect": "Allow", "Action": actions, "Resource": [f"{arn}/*"]})
        return statements
    raise ValueError(f"{arn} is neither a DynamoDB table nor an S3 bucket")


def _unique(actions) -> list[str]:
    return list(dict.fromkeys(actions))
