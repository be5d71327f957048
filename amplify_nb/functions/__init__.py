"""Lambda functions of a project: their builds (build.py), templates (templates.py) and execution-role
permissions (permissions.py). The function category wires these into models; nothing here calls the cloud."""
