"""Inserting many new rows of one model without building model instances.

``bulk_create`` prepares every field of every instance through the ORM, which costs more than
the database's own work for the hundreds of thousands of rows a card system's file holds. A
``RowWriter`` takes plain tuples in a fixed column order, fills the other columns the way the
model would (``auto_now``/``auto_now_add`` with the current time, constants, field defaults)
and writes them with ``COPY`` on PostgreSQL and one ``executemany`` elsewhere. Validation is
the importer's job; the database constraints still apply.
"""

from collections.abc import Callable, Sequence

from django.db import connection, models
from django.utils import timezone

Adapter = Callable[[object], object]


def _adapter(field: models.Field) -> Adapter | None:
    """How a Python value of ``field`` becomes a database parameter (None: as it is)."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, (models.CharField, models.TextField, models.IntegerField,
                          models.BooleanField, models.ForeignKey)):
        return None
    return lambda value: field.get_db_prep_save(value, connection)


class RowWriter:
    """Writes rows of ``model`` given as tuples of the ``columns`` (attribute names, e.g.
    ``account_id``); ``constants`` gives the same value to every row of a column. The other
    columns get their field's default, or the time of the insert for ``auto_now`` fields."""

    def __init__(self, model: type[models.Model], columns: Sequence[str], *,
                 constants: dict[str, object] | None = None):
        meta = model._meta
        fields = [field for field in meta.concrete_fields
                  if not isinstance(field, models.fields.AutoFieldMixin)]
        by_name = {field.attname: field for field in fields}
        columns = tuple(columns)
        unknown = [name for name in (*columns, *(constants or {})) if name not in by_name]
        if unknown:
            raise ValueError(f"{model.__name__} has no columns {unknown}")
        rest = [field for field in fields if field.attname not in columns]
        per_row = [field.name for field in rest if field.has_default() and callable(field.default)
                   and field.attname not in (constants or {})]
        if per_row:  # each row needs its own value (a uuid4, say): give them in the rows
            raise ValueError(f"{model.__name__}: pass the columns {per_row} in the rows")
        self.row_adapters = [(index, adapt) for index, name in enumerate(columns)
                             if (adapt := _adapter(by_name[name])) is not None]
        self.rest = [(_adapter(field), self._fixed_value(field, constants or {}))
                     for field in rest]
        quote = connection.ops.quote_name
        self.table = quote(meta.db_table)
        self.names = ", ".join(quote(by_name[name].column) for name in columns)
        self.names += "".join(", " + quote(field.column) for field in rest)
        self.placeholders = ", ".join(["%s"] * (len(columns) + len(rest)))

    @staticmethod
    def _fixed_value(field: models.Field, constants: dict) -> Callable[[object], object]:
        """The value of a column the rows do not carry, given the time of the insert: a
        constant, that time (``auto_now``, ``auto_now_add``), or the field's default."""
        if field.attname in constants:
            return lambda now: constants[field.attname]
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return lambda now: now
        return lambda now: field.get_default()

    def insert(self, rows: Sequence[Sequence]) -> None:
        if not rows:
            return
        now = timezone.now()
        fixed = tuple(value(now) if adapt is None else adapt(value(now))
                      for adapt, value in self.rest)
        values = [(*self._adapted(row), *fixed) for row in rows]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {self.table} ({self.names}) FROM STDIN") as copy:
                    for value in values:
                        copy.write_row(value)
            else:
                cursor.executemany(
                    f"INSERT INTO {self.table} ({self.names}) VALUES ({self.placeholders})",
                    values)

    def _adapted(self, row: Sequence) -> Sequence:
        if not self.row_adapters:
            return row
        row = list(row)
        for index, adapt in self.row_adapters:
            row[index] = adapt(row[index])
        return row
