"""The amplify/ folder: paths, atomic writes, the lock, status, push bookkeeping, aws-exports."""
from .configure import configure_project
from .init import init_env, init_project
from .project import Project
from .push import PushResult, plan, push, show_plan
from .resources import add_resource, apply_resource, current_spec, remove_resource, update_resource
from .status import StatusRow, endpoints, resource_status, status_text

__all__ = ["Project", "PushResult", "StatusRow", "add_resource", "apply_resource", "configure_project", "current_spec", "endpoints", "init_env", "init_project", "plan", "push",
           "remove_resource", "resource_status", "show_plan", "status_text", "update_resource"]
