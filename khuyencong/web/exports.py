"""Export exactly what a list shows (same scope, search, filters and sort) as XLSX or CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from array import array

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.http import FileResponse, HttpResponseRedirect, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from khuyencong.jobs.services import attach_file, job_handler, start_job
from khuyencong.kernel.audit import log_access
from khuyencong.kernel.scoping import Action, can
from khuyencong.kernel.sheets import csv_text, xlsx_options
from khuyencong.web.generic import ObjectListView


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int | float | str):
        return value
    return str(value)


def _labelled(col, model):
    """A function giving a column's cell: a choice field's label (``get_<field>_display``) is
    looked up in a dictionary made once per export, not rebuilt and translated per cell."""
    name = getattr(col, "name", "")
    if name.startswith("get_") and name.endswith("_display") and "." not in name:
        try:
            field = model._meta.get_field(name[4:-8])
        except FieldDoesNotExist:
            field = None
        if field is not None and field.flatchoices:
            labels = {value: str(label) for value, label in field.flatchoices}
            attname = field.attname
            return lambda obj: _cell(labels.get(getattr(obj, attname), getattr(obj, attname)))
    return lambda obj: _cell(col.value(obj))


def _guarded(row):
    """A CSV row whose text cells no spreadsheet will evaluate as a formula."""
    return [csv_text(value) for value in row]


class _Echo:
    def write(self, value):
        return value


class ObjectExportView(ObjectListView):
    """Stream the list as a file; past ``job_threshold`` rows the export runs as a background job
    and the user gets a progress bar and a download link instead of a request that times out."""

    action = Action.EXPORT
    export_columns = None  # defaults to the list's columns
    chunk_size = 1000
    progress_every = 5000
    job_threshold = 20_000
    rows_per_sheet = 1_048_575

    def rows(self, queryset, columns):
        """The rows in the list's order, read in short chunks, in memory that does not grow with
        the export.

        The ordered keys come first, in one query that ends before anything is written (kept as
        8-byte integers: 8 MB for a million rows); then each chunk of rows is its own query by
        key. No read stays open across the job's progress writes, so on SQLite a record saved
        meanwhile by someone else cannot make the export fail ("database is locked": a long read
        snapshot cannot be upgraded to a write). A row that stops matching (deleted, merged, moved
        out of scope) between the two reads is left out.
        """
        keys = array("q", queryset.values_list("pk", flat=True).iterator(chunk_size=10_000))
        unordered = queryset.order_by()
        cells = [_labelled(col, queryset.model) for col in columns]
        for start in range(0, len(keys), self.chunk_size):
            chunk = keys[start : start + self.chunk_size]
            found = {obj.pk: obj for obj in unordered.filter(pk__in=list(chunk))}
            self.prepare_chunk(list(found.values()))
            for key in chunk:
                if key in found:
                    yield [cell(found[key]) for cell in cells]

    def prepare_chunk(self, objects: list) -> None:
        """Read what the columns need for one chunk of rows, in as few queries as possible (a view
        may attach values to the objects; ``prefetch_related`` would keep each chunk alive in
        reference cycles until the garbage collector's rare full pass)."""

    def get(self, request, *args, **kwargs):
        if not can(request.user, self.action, self.model):
            raise PermissionDenied
        spec = self.get_filters()
        if spec is not None and not spec.is_valid():
            messages.error(request, _("Nothing was exported: correct the filters marked on the list first."))
            return HttpResponseRedirect(f"{reverse(self.url_name('list'))}?{request.GET.urlencode()}")
        queryset = self.read(user=request.user, action=self.action, filters=spec)
        params = {k: v for k, v in request.GET.items() if k != "page"}
        if queryset.order_by()[: self.job_threshold + 1].count() > self.job_threshold:
            job = start_job(
                kind="web.export",
                title=_("Export of %(what)s") % {"what": self.model._meta.verbose_name_plural},
                owner=request.user,
                params={"view": f"{type(self).__module__}.{type(self).__qualname__}", "query": params},
                permission=(self.model._meta.label_lower, Action.EXPORT),
            )
            return HttpResponseRedirect(reverse("jobs:job_detail", args=[job.pk]))
        return self.export(queryset, request.user, params)

    def export(self, queryset, user, params, progress=None):
        columns = self.export_columns or self.columns
        headers = [str(col.label) for col in columns]
        fmt = params.get("format", "xlsx")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        base = f"{slugify(str(self.model._meta.verbose_name_plural)) or 'export'}-{stamp}"
        if fmt == "csv" and progress is None:
            writer = csv.writer(_Echo())

            def stream():
                count = 0
                try:
                    yield "\ufeff"  # BOM so Excel opens UTF-8 Vietnamese correctly
                    yield writer.writerow(_guarded(headers))
                    for count, row in enumerate(self.rows(queryset, columns), start=1):  # noqa: B007
                        yield writer.writerow(_guarded(row))
                finally:
                    # Logged once the file is out, with its rows (those sent, if the download stopped).
                    log_access(user, "export", self.model._meta.label_lower, params, row_count=count)

            response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{base}.csv"'
            return response

        handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        if fmt == "csv":
            count = self.write_csv(handle, headers, queryset, columns, progress)
            log_access(user, "export", self.model._meta.label_lower, params, row_count=count)
            handle.seek(0)
            return handle, f"{base}.csv", count
        import xlsxwriter

        # Record text stays text: no formulas, no links, whatever a name starts with.
        book = xlsxwriter.Workbook(handle, xlsx_options(constant_memory=True, in_memory=False))
        bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        title = str(self.model._meta.verbose_name_plural)[:25]

        def new_sheet(number):
            sheet = book.add_worksheet(title if number == 1 else f"{title} ({number})")
            sheet.write_row(0, 0, headers, bold)
            sheet.freeze_panes(1, 0)
            for index, header in enumerate(headers):
                sheet.set_column(index, index, max(12, min(50, len(header) + 4)))
            return sheet

        # An Excel sheet holds 1,048,576 rows: continue on a new sheet rather than truncate.
        sheets, sheet, row_in_sheet, count = 1, new_sheet(1), 0, 0
        for count, row in enumerate(self.rows(queryset, columns), start=1):
            if row_in_sheet == self.rows_per_sheet:
                sheets += 1
                sheet, row_in_sheet = new_sheet(sheets), 0
            row_in_sheet += 1
            sheet.write_row(row_in_sheet, 0, row)
            if progress is not None and count % self.progress_every == 0:
                progress(count)
        book.close()
        handle.seek(0)
        log_access(user, "export", self.model._meta.label_lower, params, row_count=count)
        if progress is not None:
            return handle, f"{base}.xlsx", count
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"{base}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )

    def write_csv(self, handle, headers, queryset, columns, progress=None) -> int:
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        writer.writerow(_guarded(headers))
        count = 0
        for count, row in enumerate(self.rows(queryset, columns), start=1):
            writer.writerow(_guarded(row))
            if progress is not None and count % self.progress_every == 0:
                progress(count)
        text.flush()
        text.detach()
        return count


@job_handler("web.export")
def run_export_job(job, report):
    """Read the list again through its selector, under the job owner's scope, and attach the file."""
    view_class = import_string(job.params["view"])
    if not (isinstance(view_class, type) and issubclass(view_class, ObjectExportView)):
        raise ValueError("not an export view")
    query = job.params.get("query", {})
    queryset = view_class.read(user=job.owner, action=Action.EXPORT, filters=query)
    total = max(1, queryset.order_by().count())
    report(1, _("Preparing the file"))
    handle, filename, count = view_class().export(
        queryset, job.owner, query, progress=lambda n: report(min(99, n * 100 // total), "")
    )
    attach_file(job, filename, handle)  # copied to storage in chunks, never whole in memory
    handle.close()
    return {"rows": count}
