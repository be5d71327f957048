"""The Python API client against the pushed tutorial API on the local cloud, in both auth modes: a signed-in user
keeps a beer list through BeerApi (SigV4 with the identity pool's credentials, or the ID token), and a visitor who
is not signed in is refused as API Gateway refuses them. Needs the api category and the local data plane."""
from __future__ import annotations

import time

import pytest

from amplify_nb.client import API, Auth, BeerApi, ForbiddenError, NotSignedInError, UnauthorizedError

PASSWORD = "correct horse 42"


@pytest.fixture(scope="module", params=["iam", "cognito"])
def beer_project(request, tmp_path_factory, local_cloud):
    import uuid

    from amplify_nb.notebook import api_spec
    from amplify_nb.project import Project, add_resource, init_project, push
    from amplify_nb.specs import InitSpec
    from amplify_nb.specs.auth import AuthSpec

    folder = tmp_path_factory.mktemp(f"api-{request.param}") / "beer"
    project, _ = init_project(folder, InitSpec.for_project(folder, {}), progress=False)
    add_resource(project, "auth", AuthSpec(resource_name="beerauth"))
    suffix = uuid.uuid4().hex[:6]  # functions and tables are named <name>-<env>: one pair per project on the cloud
    add_resource(project, "api", api_spec(project, function_name=f"beerfn{suffix}", table_name=f"beer{suffix}",
                                          name="beerapi", path="/beer", restrict_access=True,
                                          authorization=request.param))
    push(project, progress=False)
    return Project.open(folder), request.param


def signed_in(project) -> Auth:
    auth = Auth.from_project(project)
    email = f"api-client-{time.time_ns()}@example.com"
    auth.sign_up(email, PASSWORD)
    auth.confirm_sign_up(email, auth.latest_code(email, "sign-up"))
    auth.sign_in(email, PASSWORD)
    return auth


def test_a_signed_in_user_keeps_a_beer_list(beer_project):
    project, mode = beer_project
    api = API(project, auth=signed_in(project))
    assert api.config("beerapi").authorization == mode
    beers = BeerApi(api)

    added = [beers.add(*beer) for beer in [("Punk IPA", "BrewDog", "IPA"), ("Augustiner Hell", "Augustiner", "Lager"),
                                           ("Guinness", "Guinness", "Stout")]]
    beers.update(added[0]["id"], type="India Pale Ale")
    beers.delete(added[2]["id"])

    table = beers.list()
    mine = table[table["id"].isin([beer["id"] for beer in added])]
    assert mine["name"].tolist() == ["Augustiner Hell", "Punk IPA"]
    assert mine.columns.tolist()[:4] == ["name", "brand", "type", "id"]
    assert mine.set_index("name").loc["Punk IPA", "type"] == "India Pale Ale"
    assert api.get("beerapi", f"/beer/{added[1]['id']}")["brand"] == "Augustiner"


def test_a_visitor_who_is_not_signed_in_is_refused(beer_project):
    project, mode = beer_project
    api = API(project, auth=Auth.from_project(project))
    if mode == "iam":  # no guest credentials (guests not allowed): sent unsigned -> 403
        with pytest.raises(ForbiddenError, match="sign in first") as caught:
            api.get("beerapi", "/beer")
        assert caught.value.error_type == "MissingAuthenticationTokenException"
    else:
        with pytest.raises(NotSignedInError):
            api.get("beerapi", "/beer")
        with pytest.raises(UnauthorizedError):  # a token that is not the pool's
            api.get("beerapi", "/beer", headers={"Authorization": "not-a-token"})
