from khuyencong.organisation.models import OrgUnit, Role
from khuyencong.territory.models import Province
from tests.scoping import ScopedResourceSuite


class TestOrgUnitScoping(ScopedResourceSuite):
    model = OrgUnit
    url_prefix = "organisation:orgunit"
    api_list_url = "/api/v1/org-units"
    # The establishment role reaches only its own unit, not the province's implementing units.
    role_actions = {
        Role.SYSTEM_ADMIN: {"view", "add", "change", "delete", "export"},
        Role.AGENCY_OFFICER: {"view", "add", "change", "delete", "export"},
        Role.AGENCY_LEADER: {"view", "export"},
        Role.REGIONAL_OFFICER: {"view", "export"},
        Role.PROVINCIAL_OFFICER: {"view", "add", "change", "export"},
        Role.PROVINCIAL_LEADER: {"view", "export"},
        Role.PROVINCIAL_FINANCE: {"view"},
        Role.IMPLEMENTER: {"view"},
        Role.INSPECTOR: {"view", "export"},
        Role.ESTABLISHMENT: {"view"},
        Role.VIEWER: {"view"},
    }
    api_writes = frozenset()  # the org-unit API only reads
    list_params = {"q": "don vi thuc hien thu"}
    _counter = 0

    def make_record(self, province_code):
        TestOrgUnitScoping._counter += 1
        province = Province.objects.current().get(code=province_code)
        return OrgUnit.objects.create(
            code=f"DVTH-{province_code}-{self._counter}",
            name=f"Đơn vị thực hiện thử {province.short_name} {self._counter}",
            kind=OrgUnit.Kind.IMPLEMENTING_UNIT,
            province=province,
        )

    def form_data(self, province_code, name_suffix="", **overrides):
        TestOrgUnitScoping._counter += 1
        province = Province.objects.current().get(code=province_code)
        data = {
            "code": f"NEW-{province_code}-{self._counter}",
            "name": f"Đơn vị mới {province.short_name} {self._counter}{name_suffix}",
            "kind": OrgUnit.Kind.IMPLEMENTING_UNIT,
            "province": province.pk,
            "is_active": "on",
        }
        data.update(overrides)
        return data
