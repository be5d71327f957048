"""One spec per Amplify question flow: pure dataclasses with defaults and validation, no IO."""
from .base import OPERATIONS, ProjectResource, Question, Spec, resources_from_backend_config
from .configure import ConfigureSpec
from .function import FunctionSpec
from .init import InitSpec
from .storage import ColumnSpec, GsiSpec, StorageSpec

__all__ = ["OPERATIONS", "ProjectResource", "Question", "Spec", "resources_from_backend_config", "ColumnSpec",
           "ConfigureSpec", "FunctionSpec", "GsiSpec", "InitSpec", "StorageSpec"]
