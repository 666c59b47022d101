"""Import profiles: how one bank's feed of one kind is written, kept as data in the admin.

Operations staff set a profile up once per feed (``/admin/imports/importprofile/``) and the
nightly job names it: ``arrears import postings FILE --profile icbc``.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.imports.formats import (
    DECIMAL_SEPARATORS,
    DELIMITERS,
    ENCODING_LABELS,
    THOUSANDS_SEPARATORS,
    AmountFormat,
    FileFormat,
    FormatError,
    date_format,
)
from arrears.imports.schemas import KINDS, SCHEMAS

AUTO_ENCODING = ""


class ImportProfile(models.Model):
    """How a bank writes the files of one kind: encoding, delimiter, dates, amounts, headers.

    The same name may be used for each kind (``icbc`` for cardholders, ``icbc`` for postings),
    so a nightly job passes one name for every file of a bank.
    """

    name = models.SlugField(
        _("name"), max_length=60,
        help_text=_("The name given to arrears import --profile, e.g. icbc."))
    kind = models.CharField(_("kind of file"), max_length=20,
                            choices=[(kind, kind) for kind in KINDS])
    description = models.CharField(_("description"), max_length=200, blank=True)
    encoding = models.CharField(
        _("encoding"), max_length=20, blank=True, default=AUTO_ENCODING,
        choices=[(AUTO_ENCODING, _("detect: a byte-order mark, else UTF-8")),
                 *ENCODING_LABELS.items()],
        help_text=_("Most mainland Chinese bank systems write GB18030 (GBK)."))
    delimiter = models.CharField(_("delimiter"), max_length=1, default=",",
                                 choices=list(DELIMITERS.items()))
    date_format = models.CharField(
        _("date format"), max_length=30, default="YYYY-MM-DD",
        help_text=_("YYYY year, MM month, DD day (M and D: one or two digits), anything else "
                    "as written: YYYY-MM-DD, YYYY/MM/DD, YYYYMMDD, DD.MM.YYYY."))
    decimal_separator = models.CharField(_("decimal separator"), max_length=1, default=".",
                                         choices=list(DECIMAL_SEPARATORS.items()))
    thousands_separator = models.CharField(
        _("thousands separator"), max_length=1, blank=True, default=",",
        choices=list(THOUSANDS_SEPARATORS.items()),
        help_text=_("May be left out of an amount, but where written it must group by three."))
    currency_symbol = models.CharField(
        _("currency symbol allowed"), max_length=8, blank=True,
        help_text=_("A symbol an amount may carry before or after the number, e.g. ¥ or 元; "
                    "blank: none."))
    minor_units = models.BooleanField(
        _("amounts in minor units"), default=False,
        help_text=_("Amounts are whole fen (cents): 123456 means 1,234.56 CNY."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("import profile")
        verbose_name_plural = _("import profiles")
        ordering = ("name", "kind")
        constraints = [models.UniqueConstraint(fields=("name", "kind"),
                                               name="import_profile_name_kind")]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"

    def clean(self) -> None:
        try:
            self.file_format(columns={})
        except FormatError as exc:
            raise ValidationError(str(exc)) from None

    def file_format(self, columns: dict[str, str] | None = None) -> FileFormat:
        """The format this profile declares; ``FormatError`` when it cannot be used."""
        if columns is None:
            columns = {mapping.file_column.strip().lower(): mapping.column.strip().lower()
                       for mapping in self.columns.all()}
        for column in columns.values():
            check_mapped_column(self.kind, column)
        return FileFormat(
            encoding=self.encoding or None,
            delimiter=self.delimiter,
            dates=date_format(self.date_format.strip()),
            amounts=AmountFormat(self.decimal_separator, self.thousands_separator,
                                 self.currency_symbol, self.minor_units),
            columns=columns,
            profile=self.name,
        )


class ImportColumn(models.Model):
    """One column of the bank's file: which of our columns it is, or none (left out)."""

    profile = models.ForeignKey(ImportProfile, on_delete=models.CASCADE, related_name="columns",
                                verbose_name=_("import profile"))
    file_column = models.CharField(_("column in the bank's file"), max_length=100,
                                   help_text=_("The header as the bank writes it, e.g. 交易金额."))
    column = models.CharField(
        _("our column"), max_length=40, blank=True,
        help_text=_("The column of docs/imports.md it holds, e.g. amount; blank: the import "
                    "leaves this column out."))

    class Meta:
        verbose_name = _("column name")
        verbose_name_plural = _("column names")
        constraints = [models.UniqueConstraint(fields=("profile", "file_column"),
                                               name="import_column_once")]

    def __str__(self) -> str:
        return f"{self.file_column} → {self.column or '-'}"

    def clean(self) -> None:
        self.column = self.column.strip().lower()
        self.file_column = self.file_column.strip()
        try:
            kind = self.profile.kind
        except ImportProfile.DoesNotExist:
            return
        try:
            check_mapped_column(kind, self.column)
        except FormatError as exc:
            raise ValidationError({"column": str(exc)}) from None


def check_mapped_column(kind: str, column: str) -> None:
    """A bank's column maps to one of ``kind``'s columns, or to none ("")."""
    names = [schema_column.name for schema_column in SCHEMAS.get(kind, ())]
    if column and column not in names:
        raise FormatError(_("%(column)s is not a column of %(kind)s; they are: %(columns)s")
                          % {"column": column, "kind": kind, "columns": ", ".join(names)})
