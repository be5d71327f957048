"""The push engine, Chalice style: models -> planner (reads only) -> plan -> executor (journaled)."""
from .executor import DisplayOnly, Executor
from .journal import Journal
from .models import Bucket, Resource, Role, RolePolicy
from .plan import APICall, JsonText, Plan, Retry, StoreValue, Var, Wait
from .planner import plan_push, plan_sweep, rule
from .remote import RemoteState

__all__ = ["APICall", "Bucket", "DisplayOnly", "Executor", "Journal", "JsonText", "Plan", "RemoteState",
           "Resource", "Retry", "Role", "RolePolicy", "StoreValue", "Var", "Wait", "plan_push", "plan_sweep", "rule"]
