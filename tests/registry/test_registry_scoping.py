import itertools

from khuyencong.registry.models import CraftVillage, Establishment
from tests.registry.factories import commune_of, make_establishment, make_village
from tests.scoping import ScopedResourceSuite

_n = itertools.count(1)
REGISTRY_EXPECTATIONS = {
    "agency": {"view", "add", "change", "delete", "export"},
    "hatinh": {"view", "add", "change", "delete", "export"},
    "nghean": {"view", "add", "change", "delete", "export"},
    "implementer": {"view", "export"},
}


class TestEstablishmentScoping(ScopedResourceSuite):
    model = Establishment
    url_prefix = "registry:establishment"
    api_list_url = "/api/v1/establishments"
    expectations = REGISTRY_EXPECTATIONS
    list_params = {"q": "may tre dan thu"}

    def make_record(self, province_code):
        return make_establishment(province_code)

    def form_data(self, province_code, name_suffix="", **overrides):
        return {
            "name": f"Cơ sở mây tre đan thử mới {next(_n)}{name_suffix}",
            "legal_form": "household",
            "commune": commune_of(province_code).code,
            "status": "active",
            **overrides,
        }


class TestCraftVillageScoping(ScopedResourceSuite):
    model = CraftVillage
    url_prefix = "registry:craftvillage"
    api_list_url = "/api/v1/craft-villages"
    expectations = REGISTRY_EXPECTATIONS
    list_params = {"q": "lang nghe thu"}

    def make_record(self, province_code):
        return make_village(province_code)

    def form_data(self, province_code, name_suffix="", **overrides):
        return {"name": f"Làng nghề thử mới {next(_n)}{name_suffix}", "commune": commune_of(province_code).code,
                **overrides}  # fmt: skip
