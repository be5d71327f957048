"""configure: where the backend is deployed. amplify_nb adds the target choice before Amplify's questions."""
from __future__ import annotations

from dataclasses import dataclass

from ..aws import DEFAULT_REGION, TARGET_KINDS, Target
from ..errors import Problem
from .base import Spec, answer


@dataclass
class ConfigureSpec(Spec):
    flow = "configure"

    target: str = answer(
        "local", "Where should the backend live?",
        help="local: the embedded local cloud on this machine (no account, no cost). "
             "aws: your AWS account through a named profile. endpoint: any AWS-compatible endpoint (e.g. LocalStack).",
        choices=[("local", "Local cloud (no account needed)"), ("aws", "AWS account (named profile)"),
                 ("endpoint", "Other AWS-compatible endpoint")],
    )
    region: str = answer(DEFAULT_REGION, "Specify the AWS Region",
                         help="Resources are created in this region. Asked for an AWS account; the local cloud and "
                              "endpoints take us-east-1 unless --region says otherwise.",
                         when=lambda spec: spec.target == "aws")
    profile: str = answer("", "Profile Name", when=lambda spec: spec.target == "aws", help="A profile from ~/.aws/config and ~/.aws/credentials (aws target). "
                                                   "Its keys stay there: amplify_nb never copies a secret into the project.")
    endpoint_url: str = answer("", "Endpoint URL", when=lambda spec: spec.target == "endpoint", help="For the endpoint target, e.g. http://localhost:4566.")

    def to_target(self) -> Target:
        return Target(kind=self.target, region=self.region, profile=self.profile or None,
                      endpoint_url=self.endpoint_url or None)

    def problems(self) -> list[Problem]:
        if self.target not in TARGET_KINDS:
            return [Problem("target", f"Target must be one of: {', '.join(TARGET_KINDS)} (got {self.target!r}).")]
        return self.to_target().problems()
