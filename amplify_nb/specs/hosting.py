"""add hosting (S3AndCloudFront): Amplify's questions, defaults and bucket naming rules.

DEV serves the bucket's S3 website endpoint over HTTP; PROD keeps the bucket private behind a CloudFront
distribution over HTTPS. Amplify removed DEV in 2023 because it relied on object ACLs; amplify_nb keeps it and
opens the bucket with a bucket policy instead.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass

from ..errors import Problem
from .base import Spec, answer, check_choice

ENVIRONMENTS = (
    ("DEV", "DEV (S3 only with HTTP)"),
    ("PROD", "PROD (S3 with CloudFront using HTTPS)"),
)
MAX_BUCKET_NAME = 63
BUCKET_CHARACTERS_MESSAGE = ("Bucket name can only use the following characters: a-z 0-9 . - "
                             "and must be between 3 and 63 characters long.")
BUCKET_START_MESSAGE = "Bucket name must start with a lowercase letter or a number."
BUCKET_END_MESSAGE = "Bucket name must end with a lowercase letter or a number."
BUCKET_DOTS_MESSAGE = "Bucket name cannot contain two adjacent periods, or a period next to a hyphen ('..', '.-', '-.')."
BUCKET_IP_MESSAGE = "Bucket name must not be formatted as an IP address (e.g. 192.168.5.4)."


def default_bucket_name(project_name: str, now: float | None = None) -> str:
    """Amplify's default: <project>-<YYYYMMDDHHmmss>-hostingbucket (lowercase, as S3 requires)."""
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(now))
    return f"{project_name.lower()}-{stamp}-hostingbucket"


def bucket_name_problems(field_name: str, name: object) -> list[Problem]:
    """S3's bucket naming rules, as Amplify checks them before anything is written."""
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9.-]{3,63}", name):
        return [Problem(field_name, BUCKET_CHARACTERS_MESSAGE)]
    found = []
    if not name[0].isalnum():
        found.append(Problem(field_name, BUCKET_START_MESSAGE))
    if not name[-1].isalnum():
        found.append(Problem(field_name, BUCKET_END_MESSAGE))
    if ".." in name or ".-" in name or "-." in name:
        found.append(Problem(field_name, BUCKET_DOTS_MESSAGE))
    if re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", name):
        found.append(Problem(field_name, BUCKET_IP_MESSAGE))
    return found


@dataclass
class HostingSpec(Spec):
    flow = "hosting"

    environment: str = answer(
        "DEV", "Select the environment setup", choices=ENVIRONMENTS,
        help="DEV publishes the bucket itself as a website over plain HTTP: quick to create, fine for trying things. "
             "PROD keeps the bucket private and serves it through a CloudFront distribution over HTTPS "
             "(on AWS, creating one takes several minutes).")
    bucket_name: str = answer(
        "", "hosting bucket name",
        help="The S3 bucket publish uploads your app to; the environment name is appended (<name>-<env>). "
             "Bucket names are global across AWS: the default adds a timestamp to stay unique.")
    index_doc: str = answer(
        "index.html", "index doc for the website",
        help="Which file in the distribution directory is the index document (served for / and for folders).")
    error_doc: str = answer(
        "index.html", "error doc for the website",
        help="Served for paths that match no file. A single-page app handles its own routes, "
             "so it answers every path with index.html.")

    @classmethod
    def for_project(cls, project_name: str, answers: dict | None = None) -> "HostingSpec":
        """Amplify's defaults for a project of this name, overridden by the given answers."""
        return cls.from_answers(answers, bucket_name=default_bucket_name(project_name))

    def deployed_bucket_name(self, env: str) -> str:
        """The bucket as it exists in the cloud: one per environment."""
        return f"{self.bucket_name}-{env}"

    def problems(self) -> list[Problem]:
        found = check_choice(self, "environment", "Environment setup")
        found += bucket_name_problems("bucket_name", self.bucket_name)
        if not isinstance(self.index_doc, str) or not self.index_doc.strip() or "/" in self.index_doc:
            found.append(Problem("index_doc", "The index doc must be a file name without '/' (e.g. index.html): "
                                              "S3 appends it to every folder path."))
        if not isinstance(self.error_doc, str) or not self.error_doc.strip() or self.error_doc.startswith("/") \
                or re.search(r"\s", self.error_doc):
            found.append(Problem("error_doc", "The error doc must be a file of the distribution directory, written "
                                              "relative to it without a leading '/' (e.g. index.html or 404.html)."))
        return found

    def env_problems(self, env: str) -> list[Problem]:
        """Problems that depend on the environment name the bucket gets suffixed with."""
        deployed = self.deployed_bucket_name(env)
        if isinstance(self.bucket_name, str) and len(deployed) > MAX_BUCKET_NAME:
            return [Problem("bucket_name", f"With the environment name appended the bucket would be {deployed!r} "
                                           f"({len(deployed)} characters); S3 allows {MAX_BUCKET_NAME}. "
                                           f"Choose a name of at most {MAX_BUCKET_NAME - len(env) - 1} characters.")]
        return []
