"""One way to show a long list (a module beside the apps, so that every app's pages can use it
without an import cycle): paged, filtered, sorted, and exported to CSV or Excel.

A page describes its list once, as a :class:`ListSpec`: its columns (labels in the reader's
language, the value each row shows, the database ordering of the sortable ones), its filters
and its page size. :func:`list_respond` reads the request's ``page``, ``sort``, filter and
``export`` parameters, checks them against the spec and answers with either the page's context
(the HTML table is ``web/_list.html``) or the export. The same column functions give the page
and the export their values, so an export is masked exactly like the page.

Exports are decided by the access policy (``policy.may_export``: 403 for a role without the
list), hold only the rows the view's queryset reaches, stop at ``ARREARS_LIST_EXPORT_MAX`` rows
(a larger export is refused with a message, never cut silently) and are audited
(``list.export``). Unknown sort keys and filter values are ignored and said so on the page;
they never end in an error page.
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.access import policy
from arrears.audit.services import audit_record, client_of
from arrears.rules.money import format_amount, to_decimal

EXPORT_FORMATS = ("csv", "xlsx")
DEFAULT_EXPORT_MAX = 1000
PAGE_SIZE_MAX = 200
EXPORT_CHUNK = 500
DATE_YEARS = (1900, 2200)  # a date filter outside these years is a typing mistake


@dataclass(frozen=True)
class Money:
    """An amount in integer minor units and its currency: the page shows ``1,234.56 CNY``, the
    exports an exact decimal number."""

    minor: int
    currency: str

    def __str__(self) -> str:
        return f"{format_amount(self.minor, self.currency)} {self.currency}"

    @property
    def major(self) -> Decimal:
        return to_decimal(self.minor, self.currency)


class Name(str):
    """A person's or a bank's own name among filter choices: shown as it is and marked as not
    to be translated (``translate="no"``)."""


@dataclass(frozen=True)
class Column:
    """One column. ``value(row, view)`` gives what the row shows (already masked: ``view`` is
    the :class:`ListView` with the user's masking level); ``sort`` is the ordering expression
    that sorts by it (None: not sortable); ``link(row)`` makes the page cell a link;
    ``template`` renders the page cell instead (its row is ``row``); ``export=False`` keeps a
    page-only column (an action form) out of exports."""

    key: str
    label: Any
    value: Callable[[Any, "ListView"], Any] = lambda row, view: ""
    sort: str | None = None
    link: Callable[[Any], str] | None = None
    template: str | None = None
    personal: bool = False  # masked personal data: the cell is marked translate="no"
    numeric: bool = False
    export: bool = True  # False for a page-only column (an action form)

    @property
    def exported(self) -> bool:
        return self.export


@dataclass(frozen=True)
class Filter:
    """One filter: ``choices()`` gives (value, label) pairs for a select (None: free text or a
    date); ``apply(rows, value)`` narrows the queryset. ``personal`` filters (a searched name)
    are not written to the audit trail as typed."""

    key: str
    label: Any
    apply: Callable[[QuerySet, Any], QuerySet]
    choices: Callable[[], Iterable[tuple[str, Any]]] | None = None
    kind: str = "text"  # text | choice | date
    personal: bool = False


@dataclass(frozen=True)
class ListSpec:
    name: str  # one of policy.LISTS: the export right and the audit object id
    title: Any
    columns: tuple[Column, ...]
    default_sort: str  # a column key, "-" first for descending
    filters: tuple[Filter, ...] = ()
    page_size: int = 50
    tie_breaker: str = "pk"  # makes the order total, so pages never repeat or skip a row
    # The page's table: its id and class (default ``table-<name>``), extra attributes, and
    # attributes of each row (``data-*`` hooks for the keyboard and the tests).
    table_id: str = ""
    table_class: str = ""
    table_attributes: tuple[tuple[str, str], ...] = ()
    row_attributes: Callable[[Any], dict[str, Any]] | None = None

    def __post_init__(self):
        if self.name not in policy.LISTS:
            raise ValueError(f"Unknown list {self.name!r}; add it to policy.LISTS.")
        if not 1 <= self.page_size <= PAGE_SIZE_MAX:
            raise ValueError(f"Page size of {self.name!r} must be 1 to {PAGE_SIZE_MAX}.")
        if self.default_sort.lstrip("-") not in self.sort_keys:
            raise ValueError(f"Default sort {self.default_sort!r} is not a sortable column.")

    @property
    def sort_keys(self) -> dict[str, str]:
        return {column.key: column.sort for column in self.columns if column.sort}


@dataclass
class ListView:
    """A spec applied to one request: the chosen filters and order, and what was ignored."""

    spec: ListSpec
    user: Any
    level: str
    filters: dict[str, str] = field(default_factory=dict)
    sort: str = ""
    notices: list[str] = field(default_factory=list)
    page: Any = None
    rows: list = field(default_factory=list)
    may_export: bool = False
    queryset: Any = None  # the rows after the filters, in the chosen order (all pages)
    extra: dict[str, str] = field(default_factory=dict)  # other parameters the page keeps

    def query(self, **changes) -> str:
        """The query string of this view with ``changes`` (None removes a parameter)."""
        params = {**self.extra, **{k: v for k, v in self.filters.items() if v}}
        if self.sort != self.spec.default_sort:
            params["sort"] = self.sort
        for name, value in changes.items():
            if value is None:
                params.pop(name, None)
            else:
                params[name] = value
        return urlencode(params)

    @property
    def headers(self) -> list[dict]:
        current = self.sort.lstrip("-")
        descending = self.sort.startswith("-")
        headers = []
        for column in self.spec.columns:
            header = {"column": column, "sorted": "", "url": ""}
            if column.sort:
                if column.key == current:
                    header["sorted"] = "descending" if descending else "ascending"
                    target = column.key if descending else f"-{column.key}"
                else:
                    target = column.key
                header["url"] = "?" + self.query(sort=target, page=None)
            headers.append(header)
        return headers

    @property
    def filter_fields(self) -> list[dict]:
        return [{"filter": item, "value": self.filters.get(item.key, ""),
                 "choices": [{"value": str(value), "label": label,
                              "name": isinstance(label, Name)}
                             for value, label in item.choices()] if item.choices else None}
                for item in self.spec.filters]

    def export_url(self, fmt: str) -> str:
        return "?" + self.query(export=fmt, page=None)

    @property
    def export_csv_url(self) -> str:
        return self.export_url("csv")

    @property
    def export_xlsx_url(self) -> str:
        return self.export_url("xlsx")

    def page_url(self, number: int) -> str:
        return "?" + self.query(page=str(number))

    @property
    def page_url_previous(self) -> str:
        return self.page_url(self.page.previous_page_number()) if self.page.has_previous() else ""

    @property
    def page_url_next(self) -> str:
        return self.page_url(self.page.next_page_number()) if self.page.has_next() else ""

    @property
    def table_rows(self) -> list[dict]:
        """The page's rows as the template shows them: each row's attributes and its cells
        (text, link, template, alignment)."""
        table = []
        for row in self.rows:
            cells = []
            for column in self.spec.columns:
                value = None if column.template else column.value(row, self)
                cells.append({"column": column, "row": row, "text": display_text(value),
                              "link": column.link(row) if column.link else "",
                              "numeric": column.numeric or _is_number(value)})
            attributes = self.spec.row_attributes(row) if self.spec.row_attributes else {}
            table.append({"attributes": sorted(attributes.items()), "cells": cells})
        return table

    @property
    def table_id(self) -> str:
        return self.spec.table_id or f"table-{self.spec.name}"


def _is_number(value) -> bool:
    return isinstance(value, (int, Decimal, Money)) and not isinstance(value, bool)


def display_text(value) -> str:
    """A cell's value as the page shows it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(
            value) else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return number_format(value, force_grouping=True)
    return str(value)


def _export_value(value):
    """A cell's value in an export: numbers as numbers, money as an exact decimal, times in the
    server's time zone without an offset (Excel has no time zones), words in the reader's
    language."""
    if value is None:
        return ""
    if isinstance(value, Money):
        return value.major
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(
            value) else value
    if isinstance(value, (int, Decimal, date)):
        return value
    return str(value)


def export_max() -> int:
    return int(getattr(settings, "ARREARS_LIST_EXPORT_MAX", DEFAULT_EXPORT_MAX))


def _read_view(request: HttpRequest, spec: ListSpec, extra: dict | None) -> ListView:
    view = ListView(spec=spec, user=request.user, level=policy.masking_level(request.user),
                    extra=dict(extra or {}))
    for item in spec.filters:
        raw = request.GET.get(item.key, "").strip()[:200]
        if not raw:
            continue
        if item.choices is not None and raw not in {str(v) for v, _label in item.choices()}:
            view.notices.append(_("The filter “%(filter)s” has no choice “%(value)s”; it was "
                                  "ignored.") % {"filter": item.label, "value": raw})
            continue
        if item.kind == "date":
            try:
                if not DATE_YEARS[0] <= date.fromisoformat(raw).year <= DATE_YEARS[1]:
                    raise ValueError(raw)
            except ValueError:
                view.notices.append(_("“%(value)s” is not a date (YYYY-MM-DD); the filter "
                                      "“%(filter)s” was ignored.")
                                    % {"value": raw, "filter": item.label})
                continue
        view.filters[item.key] = raw
    asked = request.GET.get("sort", "").strip()
    if asked and asked.lstrip("-") in spec.sort_keys:
        view.sort = ("-" if asked.startswith("-") else "") + asked.lstrip("-")
    else:
        if asked:
            view.notices.append(_("The list cannot be sorted by “%(key)s”; it is sorted as "
                                  "usual.") % {"key": asked[:40]})
        view.sort = spec.default_sort
    return view


def _filtered(view: ListView, rows: QuerySet) -> QuerySet:
    for item in view.spec.filters:
        value = view.filters.get(item.key)
        if value:
            if item.kind == "date":
                value = date.fromisoformat(value)
            rows = item.apply(rows, value)
    key = view.sort.lstrip("-")
    expression = view.spec.sort_keys[key]
    descending = view.sort.startswith("-")
    tie = view.spec.tie_breaker
    return rows.order_by(f"-{expression}" if descending else expression,
                         f"-{tie}" if descending else tie)


def list_respond(request: HttpRequest, spec: ListSpec, rows: QuerySet, *,
                 prepare: Callable[[list, ListView], None] | None = None,
                 extra: dict | None = None) -> tuple[ListView, HttpResponse | None]:
    """Apply ``spec`` to ``rows`` (already limited to what the user reaches). Returns the view
    and, for an export, the response to send; otherwise the view holds one page of rows.
    ``prepare(rows, view)`` may annotate a batch of rows before their values are read."""
    view = _read_view(request, spec, extra)
    view.may_export = policy.may_export(request.user, spec.name)
    rows = view.queryset = _filtered(view, rows)
    fmt = request.GET.get("export", "")
    if fmt:
        return view, _export(request, view, rows, fmt, prepare)
    page = Paginator(rows, spec.page_size).get_page(request.GET.get("page"))
    view.page = page
    view.rows = list(page.object_list)
    if prepare:
        prepare(view.rows, view)
    return view, None


def _audit_params(view: ListView) -> dict[str, str]:
    personal = {item.key for item in view.spec.filters if item.personal}
    return {key: ("(given)" if key in personal else value)
            for key, value in view.filters.items()}


def _back(request: HttpRequest, view: ListView) -> HttpResponse:
    return redirect(f"{request.path}?{view.query()}")


def _export(request, view: ListView, rows: QuerySet, fmt: str, prepare) -> HttpResponse:
    if fmt not in EXPORT_FORMATS:
        messages.error(request, _("Unknown export format “%(fmt)s”; use CSV or Excel.")
                       % {"fmt": fmt[:20]})
        return _back(request, view)
    if not view.may_export:
        raise PermissionDenied(_("Your role may not export this list."))
    most = export_max()
    # The rows as of now, in order: the export holds exactly these (and the audit says how
    # many), even when rows are added while it streams (the export's own audit event).
    keys = list(rows.values_list("pk", flat=True)[: most + 1])
    count = len(keys) if len(keys) <= most else rows.count()
    details = {"format": fmt, "rows": count, "filters": _audit_params(view), "sort": view.sort,
               "masking": view.level}
    if count > most:
        audit_record(actor=request.user, action="list.export_refused", object_type="list",
                     object_id=view.spec.name, client=client_of(request), details=details)
        messages.error(request, _(
            "%(count)s rows are more than the %(most)s an export may hold. Narrow the list "
            "with its filters, or ask for a bulk export approved by a second person.")
            % {"count": number_format(count, force_grouping=True),
               "most": number_format(most, force_grouping=True)})
        return _back(request, view)
    audit_record(actor=request.user, action="list.export", object_type="list",
                 object_id=view.spec.name, client=client_of(request), details=details)
    columns = [column for column in view.spec.columns if column.exported]
    header = [str(column.label) for column in columns]
    lines = _export_rows(view, rows, keys, columns, prepare)
    return _file_response(view.spec.name, str(view.spec.title), header, lines, fmt)


def _file_response(name: str, title: str, header: list[str], lines: Iterable[list],
                   fmt: str) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"{name}-{stamp}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            _csv_stream(header, lines, translation.get_language()),
            content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            _xlsx_bytes(title, header, lines),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def table_export(request: HttpRequest, *, name: str, title: str, header: list[str],
                 lines: list[list], fmt: str, details: dict) -> HttpResponse:
    """An aggregate table (a report, already bounded by its buckets or collectors) as CSV or
    Excel, with the same cell rules as the lists (numbers as numbers, money exact, never a
    formula); audited as ``report.export`` with what it was asked for (``details``)."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}.")
    audit_record(actor=request.user, action="report.export", object_type="report",
                 object_id=name, client=client_of(request),
                 details={"format": fmt, "rows": len(lines), **details})
    return _file_response(name, title, header,
                          ([_export_value(value) for value in line] for line in lines), fmt)


def _export_rows(view: ListView, rows: QuerySet, keys: list, columns, prepare
                 ) -> Iterator[list]:
    """The rows of ``keys`` in their order, read a batch at a time."""
    for start in range(0, len(keys), EXPORT_CHUNK):
        chunk = keys[start:start + EXPORT_CHUNK]
        found = {row.pk: row for row in rows.filter(pk__in=chunk)}
        yield from _values(view, [found[key] for key in chunk if key in found], columns,
                           prepare)


def _values(view, batch, columns, prepare) -> Iterator[list]:
    if prepare:
        prepare(batch, view)
    for row in batch:
        yield [_export_value(column.value(row, view)) for column in columns]


class _Echo:
    def write(self, value):
        return value


def _csv_stream(header: list[str], lines: Iterable[list], language: str) -> Iterator[str]:
    """UTF-8 with a byte-order mark, so that Excel opens Chinese text correctly. The rows are
    read while the response streams, after the view returned: in the reader's language."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)
    with translation.override(language):
        for line in lines:
            yield writer.writerow(["" if v is None else _csv_text(v) for v in line])


def _csv_text(value) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    # A cell starting with = + - @ would be run as a formula by a spreadsheet (CSV injection).
    if text[:1] in ("=", "+", "-", "@") and not _is_number(value):
        return "'" + text
    return text


def _xlsx_bytes(title: str, header: list[str], lines: Iterable[list]) -> bytes:
    from openpyxl import Workbook  # only exports need it

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_sheet_title(title))
    sheet.freeze_panes = "A2"  # the header stays in view while scrolling
    sheet.append(header)
    for line in lines:
        sheet.append([_xlsx_cell(value) for value in line])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(value):
    if isinstance(value, str) and value[:1] == "=":
        return "'" + value  # never a formula
    return value


def _sheet_title(title: str) -> str:
    cleaned = "".join(ch for ch in title if ch not in "[]:*?/\\")
    return cleaned[:31] or "list"


EXPORT_LABELS = {"csv": gettext_lazy("CSV"), "xlsx": gettext_lazy("Excel")}
