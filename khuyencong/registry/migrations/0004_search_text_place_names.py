from django.db import migrations


def rebuild(apps, schema_editor):
    """Add commune and province names to the folded search text of existing establishments."""
    from khuyencong.kernel.text import fold

    Establishment = apps.get_model("registry", "Establishment")
    Commune = apps.get_model("territory", "Commune")
    places = {
        pk: f"{name} {province}"
        for pk, name, province in Commune.objects.values_list("pk", "name", "province__short_name")
    }
    batch = []
    fields = ("name", "tax_code", "owner_name", "main_products", "address")
    for row in Establishment.objects.only("pk", "commune_id", *fields).iterator(chunk_size=2000):
        parts = [getattr(row, f) or "" for f in fields] + [places.get(row.commune_id, "")]
        row.search_text = fold(" ".join(p for p in parts if p))
        batch.append(row)
        if len(batch) == 2000:
            Establishment.objects.bulk_update(batch, ["search_text"])
            batch = []
    if batch:
        Establishment.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_list_indexes"), ("territory", "0001_initial")]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
