from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from khuyencong.audit.admin import ChangeLoggedAdmin
from khuyencong.registry.models import CraftVillage, DuplicateCandidate, EligibilityRule, Establishment, IndustryLine


@admin.register(Establishment)
class EstablishmentAdmin(ChangeLoggedAdmin):
    list_display = ["name", "tax_code", "legal_form", "commune", "province", "status"]
    list_filter = ["legal_form", "status", "women_owned"]
    search_fields = ["name", "tax_code", "owner_name"]
    raw_id_fields = ["commune", "legacy_commune", "craft_village", "merged_into"]
    list_select_related = ["commune", "province"]
    filter_horizontal = ["industry_lines"]


@admin.register(CraftVillage)
class CraftVillageAdmin(ChangeLoggedAdmin):
    list_display = ["name", "commune", "province", "recognised", "decision_number", "decision_date"]
    list_filter = ["recognised"]
    search_fields = ["name", "folded_name"]
    raw_id_fields = ["commune"]


@admin.register(IndustryLine)
class IndustryLineAdmin(admin.ModelAdmin):
    list_display = ["catalogue", "code", "name", "valid_from", "valid_to"]
    list_filter = ["catalogue"]
    search_fields = ["code", "name"]


@admin.register(EligibilityRule)
class EligibilityRuleAdmin(admin.ModelAdmin):
    list_display = [
        "legal_basis",
        "legal_document",
        "effective_from",
        "effective_to",
        "locations",
        "recognised_craft_village",
    ]
    fields = [
        *("legal_document", "legal_basis", "effective_from", "effective_to", "clauses"),
        *("recognised_craft_village", "note"),
    ]

    @admin.display(description=_("eligible locations"))
    def locations(self, obj: EligibilityRule) -> str:
        return "; ".join(str(clause.get("text", "")) for clause in obj.clauses if isinstance(clause, dict))


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(admin.ModelAdmin):
    list_display = ["first", "second", "reason", "score", "status", "reviewed_by", "reviewed_at"]
    list_filter = ["status", "reason"]
    raw_id_fields = ["first", "second"]
