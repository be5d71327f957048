"""Resource models: what the project wants to exist in the cloud, by physical name.

Models are plain data. Planner rules (deploy/rules/) know how to read one from the cloud and which calls
make it match. Every model is found by its name, so a push that was killed can always tell what exists.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from .plan import Var


@dataclass(frozen=True)
class Resource:
    type_name: ClassVar[str] = ""
    name: str

    @property
    def key(self) -> str:
        return f"{self.type_name}:{self.name}"

    def ref(self, attribute: str) -> Var:
        """A value of this resource (Arn, Id...) stored while the plan runs."""
        return Var(f"{self.key}.{attribute}")

    def identity(self) -> dict:
        """What is recorded after a push, enough for the sweeper to find and delete it later."""
        return {"type": self.type_name, "name": self.name}


@dataclass(frozen=True)
class Bucket(Resource):
    type_name: ClassVar[str] = "s3.Bucket"
    policy: dict | None = None
    block_public_access: dict = field(default_factory=lambda: dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True))
    website: dict | None = None
    cors: dict | None = None  # a CORSConfiguration ({"CORSRules": [...]}); None: the bucket has none
    tags: dict = field(default_factory=dict)
    # False when another model writes this bucket's policy (a CloudFront distribution granting itself read
    # access, which can only happen once the distribution exists): the bucket rule then leaves the policy alone.
    manage_policy: bool = True


@dataclass(frozen=True)
class Role(Resource):
    """An IAM role and its trust. Its permissions are RolePolicy models, each owned by the category needing it."""

    type_name: ClassVar[str] = "iam.Role"
    assume_role_policy: dict = field(default_factory=dict)
    description: str = ""
    tags: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RolePolicy(Resource):
    """One inline policy on a role, a resource of its own: several categories can grant on one role (the env's
    auth role, a function's execution role) and removing a category removes exactly its policy.
    Its name is `<role>/<policy name>`, unique like IAM's (role, policy name) pair."""

    type_name: ClassVar[str] = "iam.RolePolicy"
    document: dict = field(default_factory=dict)

    @classmethod
    def on(cls, role: str, policy_name: str, document: dict) -> "RolePolicy":
        return cls(f"{role}/{policy_name}", document=document)

    @property
    def role(self) -> str:
        return self.name.split("/", 1)[0]

    @property
    def policy_name(self) -> str:
        return self.name.split("/", 1)[1]


@dataclass(frozen=True)
class OriginAccessControl(Resource):
    """How a CloudFront distribution signs its requests to a private S3 origin. Found by its name (no tags)."""

    type_name: ClassVar[str] = "cloudfront.OriginAccessControl"
    description: str = ""


@dataclass(frozen=True)
class Distribution(Resource):
    """A CloudFront distribution in front of a private S3 bucket, found again by its Comment (derived from name).

    With grant_origin_read, its rule also writes the origin bucket's policy granting this distribution (and only
    it) s3:GetObject: the policy names the distribution's ARN, which exists only once the distribution does.
    """

    type_name: ClassVar[str] = "cloudfront.Distribution"
    origin_bucket: str = ""
    origin_domain: str = ""  # the bucket's regional REST endpoint, B.s3.REGION.amazonaws.com
    origin_access_control: str = ""  # name of an OriginAccessControl model
    default_root_object: str = "index.html"
    min_ttl: int = 60
    default_ttl: int = 86400
    max_ttl: int = 31536000
    # (HTTP error code, page path, response code), e.g. (404, "/index.html", 200) for a single-page app
    error_responses: tuple = ()
    error_caching_min_ttl: int = 300
    grant_origin_read: bool = True
    tags: dict = field(default_factory=dict)

    @property
    def comment(self) -> str:
        return f"amplify-nb {self.name}"

    @property
    def caller_reference(self) -> str:
        return f"amplify-nb-{self.name}"


@dataclass(frozen=True)
class Budget(Resource):
    """A monthly cost budget of the account, named after the env's stack, emailing `email` when the month's actual
    cost passes 80 % of `amount` (USD) or its forecast passes 100 %.

    wanted=False is an env whose budget was turned off: its rule deletes the budget if it still exists (root
    resources are not recorded for the sweeper, so the model itself says "absent").
    """

    type_name: ClassVar[str] = "budgets.Budget"
    amount: int = 10
    email: str = ""
    wanted: bool = True


def freeze(value: Any) -> Any:
    """A canonical form of a JSON document, to compare the cloud's copy with ours."""
    if isinstance(value, dict):
        return tuple(sorted((k, freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(sorted((freeze(v) for v in value), key=repr)) if len(value) != 1 else freeze(value[0])
    return value


# --- API Gateway (REST) --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RestApi(Resource):
    """A REST API found by its name (`<api>-<env>`), with the whole shape it should have, deployed to one stage.

    routes: {resource path: {HTTP method: {"authorization": NONE | AWS_IAM | COGNITO_USER_POOLS,
    "function_arn": the Lambda proxy target, or "" for the CORS preflight (a MOCK)}}}; every resource of the
    API is listed, parents included (a path with no methods: {}). A new deployment is made only when this shape
    differs from the deployed one (its hash is the deployment's description) or the API had to be changed.
    """

    type_name: ClassVar[str] = "apigateway.RestApi"
    region: str = "us-east-1"  # of the functions it invokes (their integration URIs name it)
    stage: str = "dev"
    description: str = ""
    routes: dict = field(default_factory=dict)
    authorizer: str = ""  # the Cognito user-pool authorizer's name ("" for none)
    user_pool_arn: Any = ""  # its provider (a Var of the UserPool model while the pool is new)
    cors_headers: dict = field(default_factory=dict)  # Access-Control-Allow-* for preflights and gateway responses
    tags: dict = field(default_factory=dict)

    def identity(self) -> dict:
        """Its name and the env stack it is tagged with: API names are not unique, the owner tells ours apart."""
        return {**super().identity(), "owner": self.tags.get("amplify-nb:stack")}


@dataclass(frozen=True)
class LambdaPermission(Resource):
    """A statement of a function's resource policy letting a service invoke it; named `<function>/<statement id>`."""

    type_name: ClassVar[str] = "lambda.Permission"
    principal: str = "apigateway.amazonaws.com"
    source_arn: Any = ""  # who may invoke (a Joined ARN naming an API's id)

    @classmethod
    def on(cls, function_name: str, statement_id: str, source_arn: Any, principal: str = "apigateway.amazonaws.com"):
        return cls(f"{function_name}/{statement_id}", principal=principal, source_arn=source_arn)

    @property
    def function_name(self) -> str:
        return self.name.split("/", 1)[0]

    @property
    def statement_id(self) -> str:
        return self.name.split("/", 1)[1]
