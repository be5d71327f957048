"""Lambda Invoke on the local cloud runs the deployed Python code in warm workers (no Docker); see models.py.

The one line of glue to the daemon: the middleware's registration.
"""
from ...middleware import MIDDLEWARES
from .responses import LambdaInvokeService

MIDDLEWARES.append(LambdaInvokeService)
