"""Export exactly what a list shows (same scope, search, filters and sort) as XLSX or CSV."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify

from khuyencong.kernel.audit import log_access
from khuyencong.kernel.scoping import Action
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


class _Echo:
    def write(self, value):
        return value


class ObjectExportView(ObjectListView):
    action = Action.EXPORT
    export_columns = None  # defaults to the list's columns
    chunk_size = 2000

    def rows(self, queryset, columns):
        for obj in queryset.iterator(chunk_size=self.chunk_size):
            yield [_cell(col.value(obj)) for col in columns]

    def get(self, request, *args, **kwargs):
        queryset, _form = self.filter_queryset(self.scoped())
        columns = self.export_columns or self.columns
        headers = [str(col.label) for col in columns]
        fmt = request.GET.get("format", "xlsx")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        base = f"{slugify(str(self.model._meta.verbose_name_plural)) or 'export'}-{stamp}"
        params = {k: v for k, v in request.GET.items() if k != "page"}
        if fmt == "csv":
            writer = csv.writer(_Echo())

            def stream():
                yield "\ufeff"  # BOM so Excel opens UTF-8 Vietnamese correctly
                yield writer.writerow(headers)
                for row in self.rows(queryset, columns):
                    yield writer.writerow(row)

            log_access(request.user, "export", self.model._meta.label_lower, params)
            response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{base}.csv"'
            return response

        import xlsxwriter

        handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        book = xlsxwriter.Workbook(handle, {"constant_memory": True, "in_memory": False})
        sheet = book.add_worksheet(str(self.model._meta.verbose_name_plural)[:31])
        bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        sheet.write_row(0, 0, headers, bold)
        count = 0
        for count, row in enumerate(self.rows(queryset, columns), start=1):
            sheet.write_row(count, 0, row)
        sheet.freeze_panes(1, 0)
        for index, header in enumerate(headers):
            sheet.set_column(index, index, max(12, min(50, len(header) + 4)))
        book.close()
        handle.seek(0)
        log_access(request.user, "export", self.model._meta.label_lower, params, row_count=count)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"{base}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
