"""The establishment import pages: the generic import flow (``web/imports.py``) registered for the
establishment importer. Mounted at ``/establishments/import/`` (namespace ``registry_import``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from khuyencong.kernel.scoping import Action, user_scope
from khuyencong.registry import imports
from khuyencong.registry.models import Establishment
from khuyencong.territory.models import Commune
from khuyencong.web.imports import ImportFlow


def template_for(user) -> bytes:
    """The template, its example row in a commune the user may import into."""
    scope = user_scope(user, Action.ADD, Establishment)
    communes = Commune.objects.current().order_by("code")
    communes = scope.limit_provinces(communes, "province")
    return imports.template_workbook(example_commune=communes.first())


FLOW = ImportFlow(
    importer=imports.NAME,
    namespace="registry_import",
    resource="registry.establishment",
    title=_("Import establishments"),
    template=template_for,
    template_filename="mau-nhap-co-so-cnnt.xlsx",
    template_audit="registry:import_template",
    error_stem="co-so-cnnt",
    done_url="registry:establishment_list",
    hints=(
        _(
            "Use the column names of the template. Rows with a known tax code (or else a known external id, "
            "or else the same name in the same commune) update that establishment; blank cells keep the "
            "stored value."
        ),
        _("Only establishments of the provinces you are responsible for can be imported."),
    ),
)
