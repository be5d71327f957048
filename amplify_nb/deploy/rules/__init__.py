"""Planner rules, one module per service; importing this package registers them all."""
from . import iam, s3  # noqa: F401
