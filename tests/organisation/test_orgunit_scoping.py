from khuyencong.organisation.models import OrgUnit
from khuyencong.territory.models import Province
from tests.scoping import ScopedResourceSuite


class TestOrgUnitScoping(ScopedResourceSuite):
    model = OrgUnit
    url_prefix = "organisation:orgunit"
    api_list_url = "/api/v1/org-units"
    expectations = {
        "agency": {"view", "add", "change", "delete", "export"},
        "hatinh": {"view", "add", "change", "export"},
        "nghean": {"view", "add", "change", "export"},
        "implementer": {"view"},
    }
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
