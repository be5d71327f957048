"""The amplify/ folder: paths, atomic writes, the lock, status, push bookkeeping, aws-exports."""
from .configure import configure_project
from .init import init_project
from .project import Project
from .push import PushResult, plan, push, show_plan
from .status import StatusRow, endpoints, resource_status, status_text

__all__ = ["Project", "PushResult", "StatusRow", "configure_project", "endpoints", "init_project", "plan", "push",
           "resource_status", "show_plan", "status_text"]
