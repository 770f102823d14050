"""Security audit F4: reading an API list in bulk is an export (permission and access log)."""

import pytest

from khuyencong.audit.models import AccessLog
from khuyencong.organisation.models import Role
from tests.conftest import _user
from tests.registry.factories import make_establishment

pytestmark = pytest.mark.django_db

URL = "/api/v1/establishments"


@pytest.fixture
def finance(django_user_model, territory):
    return _user(django_user_model, "hatinh.taichinh", Role.PROVINCIAL_FINANCE, "STC-42")


@pytest.fixture
def viewer(django_user_model, territory):
    return _user(django_user_model, "xem", Role.VIEWER, "CUC-DMST")


@pytest.fixture
def rows(territory):
    return [make_establishment(name=f"Cơ sở hàng loạt {i:02}") for i in range(5)]


def first_page(client, **params):
    return client.get(URL, {"q": "co so hang loat", "limit": 2, **params})


@pytest.mark.parametrize("who", ["finance", "viewer"])
def test_view_only_roles_get_the_first_page_but_not_the_next(who, request, rows, client_for):
    client = client_for(request.getfixturevalue(who))
    response = first_page(client)
    assert response.status_code == 200
    assert len(response.json()["items"]) == 2 and response.json()["next_cursor"]
    following = first_page(client, cursor=response.json()["next_cursor"])
    assert following.status_code == 403 and following.json()["code"] == "export_required"
    assert client.get(URL, {"limit": 500}).status_code == 403
    assert not AccessLog.objects.exists()


def test_export_roles_page_through_and_each_bulk_page_is_logged(rows, client_for, hatinh_officer):
    client = client_for(hatinh_officer)
    response = first_page(client, province="42")
    assert not AccessLog.objects.exists()  # the first small page is a lookup, like the list page
    names = [item["name"] for item in response.json()["items"]]
    cursor = response.json()["next_cursor"]
    while cursor:
        page = first_page(client, province="42", cursor=cursor)
        assert page.status_code == 200
        names += [item["name"] for item in page.json()["items"]]
        cursor = page.json()["next_cursor"]
    assert sorted(names) == sorted(row.name for row in rows)
    logs = list(AccessLog.objects.order_by("id"))
    assert len(logs) == 2 and {log.user_id for log in logs} == {hatinh_officer.pk}
    assert [log.row_count for log in logs] == [2, 1]
    assert logs[0].kind == "export" and logs[0].target == "registry.establishment"
    assert logs[0].parameters["province"] == "42" and logs[0].parameters["q"] == "co so hang loat"
    assert logs[0].parameters["channel"] == "api"


def test_a_large_first_page_is_an_export_too(rows, client_for, hatinh_officer):
    response = client_for(hatinh_officer).get(URL, {"q": "co so hang loat", "limit": 101})
    assert response.status_code == 200 and len(response.json()["items"]) == 5
    assert AccessLog.objects.get().row_count == 5


def test_bulk_reads_stay_in_the_export_reach(rows, client_for, hatinh_officer, nghean_officer):
    make_establishment(name="Cơ sở hàng loạt Nghệ An", province_code="40")
    response = client_for(nghean_officer).get(URL, {"q": "co so hang loat", "limit": 200})
    assert [item["name"] for item in response.json()["items"]] == ["Cơ sở hàng loạt Nghệ An"]


LISTS = [("/api/v1/craft-villages", "registry.craftvillage"), ("/api/v1/org-units", "organisation.orgunit")]


@pytest.mark.parametrize(("url", "target"), LISTS)
def test_other_lists_follow_the_same_rule(url, target, client_for, finance, hatinh_officer):
    assert client_for(finance).get(url, {"limit": 500}).status_code == 403
    assert client_for(finance).get(url).status_code == 200
    assert client_for(hatinh_officer).get(url, {"limit": 500}).status_code == 200
    assert AccessLog.objects.get().target == target


def test_user_without_view_gets_403(client_for, outsider):
    response = client_for(outsider).get(URL)
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_a_token_client_is_held_to_the_same_rule(rows, client, finance, hatinh_officer):
    from khuyencong.accounts.tokens import issue_token

    def bearer(user):
        return {"Authorization": f"Bearer {issue_token(user=user, name='sync')[1]}"}

    first = client.get(URL, {"q": "co so hang loat", "limit": 2}, headers=bearer(finance)).json()
    denied = client.get(URL, {"q": "co so hang loat", "cursor": first["next_cursor"]}, headers=bearer(finance))
    assert denied.status_code == 403 and not AccessLog.objects.exists()
    allowed = client.get(URL, {"q": "co so hang loat", "cursor": first["next_cursor"]}, headers=bearer(hatinh_officer))
    assert allowed.status_code == 200 and len(allowed.json()["items"]) == 3
    log = AccessLog.objects.get()
    assert (log.user_id, log.row_count) == (hatinh_officer.pk, 3)
