"""openapi_spec_validator is imported only when moto validates an OpenAPI document, and still rejects bad ones."""
from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import json, os, sys
    os.environ.update(AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x")
    from amplify_nb.local import lazy_imports
    lazy_imports.install()
    import boto3
    from moto import mock_aws
    import moto.apigateway.models
    print("imported before validating:", "jsonschema" in sys.modules)
    with mock_aws():
        apigateway = boto3.client("apigateway", region_name="us-east-1")
        apigateway.create_rest_api(name="plain")
        try:
            apigateway.import_rest_api(failOnWarnings=True, body=json.dumps({"openapi": "3.0.0", "paths": 5}).encode())
        except apigateway.exceptions.BadRequestException as error:
            print("bad document:", error.response["Error"]["Code"])
        good = {"openapi": "3.0.0", "info": {"title": "ok", "description": "", "version": "1"}, "paths": {}}
        print("good document:", apigateway.import_rest_api(failOnWarnings=True, body=json.dumps(good).encode())["name"])
""")


def test_moto_validates_openapi_documents_with_the_real_library_imported_on_first_use():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["imported before validating: False", "bad document: BadRequestException",
                                        "good document: ok"]
