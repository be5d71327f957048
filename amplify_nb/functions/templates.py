"""Copy a function template's src/ into a new function, filling in what it must know about its table.

The CRUD template names its table's environment variable, partition key and fields in three assignments at
its top. They are filled in here, when the function is added, as Amplify's own CRUD template is generated for
one table: a function may be granted several tables, so picking "the first STORAGE_*_NAME" at run time could
pick the wrong one. The defaults in the file are the tutorial's beer table, so the template runs as it is.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..fileio import atomic_write_text
from .environment import variable_name

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates" / "function"
TEMPLATES = ("hello-world", "crud-dynamodb")
# The tutorial's beer items: what POST and PUT require when the table's columns say nothing more.
BEER_FIELDS = {"name": "string", "brand": "string", "type": "string"}
FIELD_TYPES = ("string", "number", "boolean", "list", "map")


def template_files(template: str) -> dict[str, str]:
    """The template's src/ files by relative path."""
    if template not in TEMPLATES:
        raise ValueError(f"unknown function template {template!r}; choose from {', '.join(TEMPLATES)}")
    src = TEMPLATES_DIR / template / "src"
    return {path.relative_to(src).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(src.rglob("*")) if path.is_file() and "__pycache__" not in path.parts}


def render_crud_handler(text: str, table_resource: str, partition_key: str = "id",
                        fields: dict[str, str] | None = None) -> str:
    """The CRUD handler's source for the storage resource `table_resource` (its string partition key and fields)."""
    fields = dict(BEER_FIELDS if fields is None else fields)
    wrong = {name: kind for name, kind in fields.items() if kind not in FIELD_TYPES}
    if wrong:
        raise ValueError(f"the CRUD template checks {', '.join(FIELD_TYPES)} fields, not {wrong}")
    fields.pop(partition_key, None)
    settings = {
        "TABLE_NAME_VARIABLE": repr(variable_name("storage", table_resource, "Name")),
        "PARTITION_KEY": repr(partition_key),
        "FIELDS": repr(fields),
    }
    for name, value in settings.items():
        text, count = re.subn(rf"^{name} = .*?(  #.*)?$", lambda m: f"{name} = {value}{m.group(1) or ''}", text,
                              count=1, flags=re.M)
        if count != 1:
            raise ValueError(f"the CRUD template has no {name} setting to fill in")
    return text


def write_function_source(template: str, src_dir: Path, table_resource: str | None = None,
                          partition_key: str = "id", fields: dict[str, str] | None = None) -> list[Path]:
    """Write the template's files into src_dir (atomically, each); the CRUD template needs its table resource."""
    files = template_files(template)
    if template == "crud-dynamodb":
        if not table_resource:
            raise ValueError("the CRUD template needs the storage resource of its table")
        files["index.py"] = render_crud_handler(files["index.py"], table_resource, partition_key, fields)
    written = []
    for relative, text in files.items():
        atomic_write_text(Path(src_dir) / relative, text)
        written.append(Path(src_dir) / relative)
    return written
