# JupyterLab settings for the tutorial (`make lab` passes this file): see amplify_nb/lab.py.
from amplify_nb.lab import configure

configure(c)  # noqa: F821 (`c` is the config object Jupyter provides)
