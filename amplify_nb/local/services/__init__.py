"""The local cloud's own services, filling moto's gaps (Cognito codes, hosting, Lambda runtime, API data plane).

Each module here appends its middleware factory to middleware.MIDDLEWARES at import; the daemon imports
this package, so adding a service is adding a module.
"""
import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
