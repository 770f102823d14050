import datetime as dt

from django.db import migrations


class PostgresOnlySQL(migrations.RunSQL):
    """Trigram indexes make substring search fast on PostgreSQL; SQLite scans the folded column."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def seed_rules(apps, schema_editor):
    Rule = apps.get_model("registry", "EligibilityRule")
    if Rule.objects.exists():
        return
    Rule.objects.create(
        legal_basis="Nghị định 45/2012/NĐ-CP",
        effective_from=dt.date(2012, 7, 1),
        effective_to=dt.date(2025, 10, 14),
        commune_types=["commune", "township"],
        recognised_craft_village=False,
        note="Trước 15/10/2025: huyện, thị xã, thị trấn, xã và một số phường (cần xác nhận theo văn bản).",
    )
    Rule.objects.create(
        legal_basis="Nghị định 235/2025/NĐ-CP",
        effective_from=dt.date(2025, 10, 15),
        commune_types=["commune", "ward", "special_zone"],
        recognised_craft_village=True,
        note="Từ 15/10/2025: xã, phường, đặc khu và làng nghề được công nhận (cần xác nhận theo văn bản).",
    )


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial"), ("kernel", "0001_postgres_extensions")]

    operations = [
        PostgresOnlySQL(
            sql=[
                "CREATE INDEX IF NOT EXISTS estab_search_trgm ON registry_establishment "
                "USING gin (search_text gin_trgm_ops)",
                "CREATE INDEX IF NOT EXISTS craftvillage_name_trgm ON registry_craftvillage "
                "USING gin (folded_name gin_trgm_ops)",
            ],
            reverse_sql=["DROP INDEX IF EXISTS estab_search_trgm", "DROP INDEX IF EXISTS craftvillage_name_trgm"],
        ),
        migrations.RunPython(seed_rules, migrations.RunPython.noop),
    ]
