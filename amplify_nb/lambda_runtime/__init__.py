"""Python Lambda functions run locally without Docker: the official runtime client in warm worker processes.

Shared by the local cloud's Lambda service (which runs deployed functions) and `invoke_local` (which runs a
project's unpushed code the same way); nothing here imports the local cloud's daemon.
"""
from .config import Credentials, FunctionConfig, default_runtime
from .local_invoke import InvokeResult, invoke_local
from .output import LogLine
from .pool import DEFAULT_MAX_WORKERS, WorkerPool
from .worker import Outcome

__all__ = [
    "DEFAULT_MAX_WORKERS",
    "Credentials",
    "FunctionConfig",
    "InvokeResult",
    "LogLine",
    "Outcome",
    "WorkerPool",
    "default_runtime",
    "invoke_local",
]
