"""The eligibility rule joins the rulebook: each version points at its legal document.

Versions in force before 15/10/2025 rest on Decree 45/2012 as issued; from that day on Decree
235/2025, which amends it (DOMAIN.md §3).
"""

import datetime as dt

import django.db.models.deletion
from django.db import migrations, models

AMENDED_ON = dt.date(2025, 10, 15)


def link(apps, schema_editor):
    Rule = apps.get_model("registry", "EligibilityRule")
    Document = apps.get_model("rulebook", "LegalDocument")
    decree_45 = Document.objects.get(number="45/2012/NĐ-CP")
    decree_235 = Document.objects.get(number="235/2025/NĐ-CP")
    for rule in Rule.objects.all():
        rule.legal_document = decree_235 if rule.effective_from >= AMENDED_ON else decree_45
        rule.save(update_fields=["legal_document"])


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0009_list_sort_indexes"),
        ("rulebook", "0002_seed_legal_documents_and_contents"),
    ]

    operations = [
        migrations.AddField(
            model_name="eligibilityrule",
            name="legal_document",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="eligibility_rules",
                to="rulebook.legaldocument",
                verbose_name="legal document",
            ),
        ),
        migrations.RunPython(link, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="eligibilityrule",
            name="legal_document",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="eligibility_rules",
                to="rulebook.legaldocument",
                verbose_name="legal document",
            ),
        ),
    ]
