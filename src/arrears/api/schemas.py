"""Request and response bodies of API version 1. Amounts are strings in major units."""

from datetime import date, datetime
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, WithJsonSchema, field_validator

from arrears.rules.text import describe, unstorable_character


def storable(value: str) -> str:
    """Refuse text a database cannot store (NUL, lone surrogates, control characters)."""
    found = unstorable_character(value)
    if found:
        raise ValueError(_("contains the character %(character)s, which cannot be stored")
                         % {"character": describe(found)})
    return value


# What ``storable`` lets through, for the OpenAPI schema (clients and the fuzzer read it).
STORABLE_PATTERN = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]*$"

# A path or query parameter that is looked up in the database.
StorableStr = Annotated[
    str, AfterValidator(storable), WithJsonSchema({"type": "string", "pattern": STORABLE_PATTERN})
]


def _document_storable_text(schema: dict) -> None:
    for field in schema.get("properties", {}).values():
        if field.get("type") == "string" and "format" not in field:
            field.setdefault("pattern", STORABLE_PATTERN)


class RequestSchema(Schema):
    """A request body: unknown fields are refused, so a misspelt field never goes unnoticed;
    every text field is checked once, here, for characters that cannot be stored."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_document_storable_text)

    @field_validator("*", mode="after")
    @classmethod
    def storable_text(cls, value):
        return storable(value) if isinstance(value, str) else value


class PaymentIn(RequestSchema):
    external_id: str = Field(min_length=1, max_length=64, description="Your id of the payment.")
    account_id: str = Field(min_length=1, max_length=64, description="The account's external id.")
    amount: str = Field(
        min_length=1, max_length=40, examples=["1234.56"],
        description="Major units of the account's currency, as a string.",
    )
    posting_date: date | None = Field(
        None, description="Default: today in the product's time zone."
    )
    value_date: date | None = Field(None, description="Default: the posting date.")


class ReversalIn(RequestSchema):
    external_id: str = Field(min_length=1, max_length=64, description="Your id of the reversal.")
    reverses: str = Field(
        min_length=1, max_length=64, description="External id of the posting to undo."
    )
    reason: str = Field(min_length=1, max_length=500)
    posting_date: date | None = Field(
        None, description="Default: today in the product's time zone."
    )


class ErrorOut(Schema):
    code: str
    message: str


class FieldErrorOut(Schema):
    field: str
    reason: str


class ValidationErrorOut(ErrorOut):
    """A 400: ``errors`` lists the bad fields when the request did not fit the schema."""

    errors: list[FieldErrorOut] | None = None


class BalancesOut(Schema):
    principal: str
    interest: str
    fees: str
    total: str


class AccountOut(Schema):
    account_id: str
    status: str
    currency: str
    as_of: date
    bucket: str
    days_past_due: int
    cycles_delinquent: int
    past_due: str
    oldest_unpaid_due_date: date | None
    balances: BalancesOut


class PayoffOut(Schema):
    account_id: str
    currency: str
    payoff_date: date
    principal: str
    interest: str
    fees: str
    projected_interest: str
    projected_fees: str
    total: str


class PostingOut(Schema):
    external_id: str
    account_id: str
    kind: str
    amount: str
    currency: str
    posting_date: date
    value_date: date
    reverses: str | None
    reason: str
    created_at: datetime


class PostingResultOut(Schema):
    posting: PostingOut
    account: AccountOut
