from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    """unaccent and pg_trgm for search on PostgreSQL; both operations are no-ops on SQLite."""

    initial = True
    dependencies: list = []
    operations = [UnaccentExtension(), TrigramExtension()]
