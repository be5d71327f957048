"""ipywidgets front-end: forms built from specs."""
from .forms import SpecForm

__all__ = ["SpecForm"]
