import itertools

from khuyencong.organisation.models import Role
from khuyencong.registry.models import CraftVillage, Establishment
from tests.registry.factories import commune_of, make_establishment, make_village
from tests.scoping import ScopedResourceSuite

_n = itertools.count(1)
ALL = {"view", "add", "change", "delete", "export"}
# Provinces keep their own registry; leaders, regional centres and inspectors read and export it;
# finance and viewers only read; an establishment's own account sees no one's registry.
REGISTRY_ROLES = {
    Role.SYSTEM_ADMIN: ALL,
    Role.AGENCY_OFFICER: ALL,
    Role.AGENCY_LEADER: {"view", "export"},
    Role.REGIONAL_OFFICER: {"view", "export"},
    Role.PROVINCIAL_OFFICER: ALL,
    Role.PROVINCIAL_LEADER: {"view", "export"},
    Role.PROVINCIAL_FINANCE: {"view"},
    Role.IMPLEMENTER: {"view", "export"},
    Role.INSPECTOR: {"view", "export"},
    Role.ESTABLISHMENT: set(),
    Role.VIEWER: {"view"},
}


class TestEstablishmentScoping(ScopedResourceSuite):
    model = Establishment
    url_prefix = "registry:establishment"
    api_list_url = "/api/v1/establishments"
    role_actions = REGISTRY_ROLES
    api_writes = frozenset({"create", "put", "patch"})
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

    def api_body(self, province_code, name_suffix=""):
        return {
            "name": f"Cơ sở mây tre đan thử API {next(_n)}{name_suffix}", "legal_form": "household",
            "commune_code": commune_of(province_code).code, "tax_code": None, "registration_number": "",
            "owner_name": "Bà Hoa", "owner_gender": "female", "address": "Thôn 2", "craft_village_id": None,
            "industry_line_codes": [], "main_products": "Mây tre", "workers_total": 8, "workers_women": 5,
            "workers_ethnic_minority": None, "annual_revenue": None, "founding_year": 2010, "phone": "",
            "email": "", "latitude": None, "longitude": None, "status": "active", "women_owned": True,
            "ethnic_minority_workers": False, "disadvantaged_area": False,
        }  # fmt: skip


class TestCraftVillageScoping(ScopedResourceSuite):
    model = CraftVillage
    url_prefix = "registry:craftvillage"
    api_list_url = "/api/v1/craft-villages"
    role_actions = REGISTRY_ROLES
    api_writes = frozenset({"delete"})
    list_params = {"q": "lang nghe thu"}

    def make_record(self, province_code):
        return make_village(province_code)

    def form_data(self, province_code, name_suffix="", **overrides):
        return {"name": f"Làng nghề thử mới {next(_n)}{name_suffix}", "commune": commune_of(province_code).code,
                **overrides}  # fmt: skip
