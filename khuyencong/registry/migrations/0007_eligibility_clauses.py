"""Eligible locations become clauses (unit type × parent × legacy city grade), seeded from DOMAIN.md §3."""

import datetime as dt

from django.db import migrations, models

import khuyencong.registry.models

DECREE_45 = "Nghị định 45/2012/NĐ-CP (bản ban hành)"
DECREE_235 = "Nghị định 45/2012/NĐ-CP, sửa đổi bởi Nghị định 235/2025/NĐ-CP"

RULES = [
    {
        "legal_basis": DECREE_45,
        "effective_from": dt.date(2012, 7, 1),
        "effective_to": dt.date(2025, 10, 14),
        "recognised_craft_village": False,
        "note": (
            "Cơ sở CNNT hoạt động tại huyện, thị xã, thị trấn, xã; phường thuộc thành phố loại 2, loại 3; "
            "phường thuộc thành phố loại 1 mới chuyển từ xã chưa quá 5 năm. Đề án phê duyệt trước 15/10/2025 "
            "tiếp tục theo quy định này. Hạng đô thị và ngày lên phường chưa có trong dữ liệu địa giới: "
            "điền sau để hệ thống quyết định được. Ngày bắt đầu hiệu lực 1/7/2012: cần xác nhận."
        ),
        "clauses": [
            {"text": "xã", "unit_types": ["commune"], "parent": "any"},
            {"text": "thị trấn", "unit_types": ["township"], "parent": "any"},
            {"text": "phường thuộc thị xã", "unit_types": ["ward"], "parent": "any", "district_types": ["town"]},
            {
                "text": "phường thuộc thành phố loại 2, loại 3",
                "unit_types": ["ward"],
                "parent": "any",
                "district_types": ["city", "urban_district"],
                "city_grades": [2, 3],
            },
            {
                "text": "phường thuộc thành phố loại 1 mới chuyển từ xã chưa quá 5 năm",
                "unit_types": ["ward"],
                "parent": "any",
                "district_types": ["city", "urban_district"],
                "city_grades": [1],
                "ward_within_years": 5,
            },
            {
                "text": "đặc khu (trước 1/7/2025 là huyện đảo, thuộc địa bàn huyện)",
                "unit_types": ["special_zone"],
                "parent": "any",
                "confirm": True,
            },
        ],
    },
    {
        "legal_basis": DECREE_235,
        "effective_from": dt.date(2025, 10, 15),
        "effective_to": None,
        "recognised_craft_village": True,
        "note": (
            "Từ 15/10/2025: xã, phường, đặc khu thuộc 28 tỉnh; xã, đặc khu (không gồm phường) thuộc 6 thành phố "
            "trực thuộc trung ương; cơ sở trong làng nghề được UBND cấp tỉnh công nhận. Đề án phê duyệt trước "
            "15/10/2025 tiếp tục theo quy định cũ. Điều khoản áp dụng cho nghệ nhân: cần xác nhận."
        ),
        "clauses": [
            {
                "text": "xã, phường, đặc khu thuộc tỉnh",
                "unit_types": ["commune", "ward", "special_zone"],
                "parent": "province",
            },
            {
                "text": "xã, đặc khu thuộc thành phố trực thuộc trung ương (không gồm phường)",
                "unit_types": ["commune", "special_zone"],
                "parent": "city",
            },
        ],
    },
]


def seed_clauses(apps, schema_editor):
    Rule = apps.get_model("registry", "EligibilityRule")
    for rule in Rule.objects.all():  # rules added by administrators keep their unit types
        rule.clauses = [{"text": ", ".join(rule.commune_types), "unit_types": rule.commune_types, "parent": "any"}]
        rule.save(update_fields=["clauses"])
    for data in RULES:
        data = dict(data)
        seeded = Rule.objects.filter(effective_from=data["effective_from"], legal_basis__startswith="Nghị định")
        if seeded.exists():
            seeded.update(**data)
        else:
            Rule.objects.create(**data)


def restore_commune_types(apps, schema_editor):
    Rule = apps.get_model("registry", "EligibilityRule")
    for rule in Rule.objects.all():
        rule.commune_types = sorted({t for clause in rule.clauses for t in clause.get("unit_types", [])})
        rule.save(update_fields=["commune_types"])


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0006_duplicate_decisions"),
        ("territory", "0002_city_grades"),
    ]

    operations = [
        migrations.AddField(
            model_name="eligibilityrule",
            name="clauses",
            field=models.JSONField(
                blank=True,
                default=list,
                validators=[khuyencong.registry.models.validate_clauses],
                verbose_name="eligible locations",
            ),
        ),
        migrations.RunPython(seed_clauses, restore_commune_types),
        migrations.RemoveField(model_name="eligibilityrule", name="commune_types"),
    ]
