"""The tutorial's BeerApi, in Python: the beer list behind the REST API's `/beer` path.

    beers = BeerApi(API(project, auth=auth))
    punk = beers.add("Punk IPA", "BrewDog", "IPA")
    beers.update(punk["id"], type="India Pale Ale")
    beers.list()                                    # a DataFrame: name, brand, type, id
    beers.delete(punk["id"])

The CRUD function behind the path makes each beer's id and replaces a whole item on PUT, so update() reads the
beer first and sends every field.
"""
from __future__ import annotations

import urllib.parse

import pandas as pd

from .api import API, frame

COLUMNS = ["name", "brand", "type", "id"]


class BeerApi:
    def __init__(self, api: API, api_name: str | None = None, path: str = "/beer"):
        if api_name is None:
            if len(api.apis) != 1:
                names = ", ".join(api.apis) or "none"
                raise ValueError(f"Say which API holds the beers (api_name=...); this configuration has: {names}.")
            api_name = next(iter(api.apis))
        api.config(api_name)  # fails early, naming the APIs there are
        self.api, self.api_name, self.path = api, api_name, path.rstrip("/")

    def _item_path(self, beer_id: str) -> str:
        return f"{self.path}/{urllib.parse.quote(str(beer_id), safe='')}"

    def list(self) -> pd.DataFrame:
        """Every beer, one row each (name, brand, type, id), sorted by name."""
        table = frame(self.api.get(self.api_name, self.path), COLUMNS)
        return table.sort_values("name", ignore_index=True) if len(table) else table

    def get(self, beer_id: str) -> dict:
        return self.api.get(self.api_name, self._item_path(beer_id))

    def add(self, name: str, brand: str, type: str) -> dict:  # noqa: A002 (the tutorial's field name)
        """Create a beer; the answer carries the id the server made."""
        return self.api.post(self.api_name, self.path, body={"name": name, "brand": brand, "type": type})

    def update(self, beer_id: str, name: str | None = None, brand: str | None = None,
               type: str | None = None) -> dict:  # noqa: A002
        """Change the given fields, keep the others."""
        current = self.get(beer_id)
        changes = {"name": name, "brand": brand, "type": type}
        body = {key: current.get(key) if value is None else value for key, value in changes.items()}
        return self.api.put(self.api_name, self._item_path(beer_id), body=body)

    def delete(self, beer_id: str) -> dict:
        """Delete a beer; the answer is the deleted item."""
        return self.api.delete(self.api_name, self._item_path(beer_id))

    def __repr__(self) -> str:
        return f"BeerApi({self.api_name}{self.path})"
