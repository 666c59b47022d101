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
    ``account_id``); ``constants`` gives the same value to every row of a column."""

    def __init__(self, model: type[models.Model], columns: Sequence[str], *,
                 constants: dict[str, object] | None = None):
        meta = model._meta
        fields = [field for field in meta.concrete_fields
                  if not isinstance(field, models.fields.AutoFieldMixin)]
        by_name = {field.attname: field for field in fields}
        unknown = [name for name in (*columns, *(constants or {})) if name not in by_name]
        if unknown:
            raise ValueError(f"{model.__name__} has no columns {unknown}")
        self.positions = [columns.index(field.attname) if field.attname in columns else None
                          for field in fields]
        self.adapters = [_adapter(field) for field in fields]
        self.fixed = [self._fixed_value(field, constants or {}) for field in fields]
        quote = connection.ops.quote_name
        self.table = quote(meta.db_table)
        self.names = ", ".join(quote(field.column) for field in fields)
        self.placeholders = ", ".join(["%s"] * len(fields))

    @staticmethod
    def _fixed_value(field: models.Field, constants: dict) -> Callable[[], object]:
        """The value of a column the rows do not carry: a constant, the time, the default."""
        if field.attname in constants:
            return lambda: constants[field.attname]
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return timezone.now
        return field.get_default

    def insert(self, rows: Sequence[Sequence]) -> None:
        if not rows:
            return
        fixed = [None if position is not None else value()
                 for position, value in zip(self.positions, self.fixed, strict=True)]
        plan = list(zip(self.positions, self.adapters, fixed, strict=True))
        values = [
            tuple((row[position] if position is not None else constant) if adapt is None
                  else adapt(row[position] if position is not None else constant)
                  for position, adapt, constant in plan)
            for row in rows
        ]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {self.table} ({self.names}) FROM STDIN") as copy:
                    for value in values:
                        copy.write_row(value)
            else:
                cursor.executemany(
                    f"INSERT INTO {self.table} ({self.names}) VALUES ({self.placeholders})",
                    values)
