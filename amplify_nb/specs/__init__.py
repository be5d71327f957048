"""One spec per Amplify question flow: pure dataclasses with defaults and validation, no IO."""
from .base import Question, Spec
from .configure import ConfigureSpec
from .init import InitSpec

__all__ = ["Question", "Spec", "ConfigureSpec", "InitSpec"]
