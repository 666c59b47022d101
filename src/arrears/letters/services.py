"""Letters: made from outbox messages, rendered to PDF, batched for the print house, and
tracked by their registered-mail (挂号信) number."""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from arrears.audit.services import audit_record
from arrears.imports.readers import FileRejected, csv_records
from arrears.letters.models import Letter, PrintBatch
from arrears.letters.pdf import LetterContent, Letterhead, is_chinese, letter_pdf
from arrears.portfolio.models import Account, ContactPoint

DEFAULT_LETTERHEADS = {
    "zh-hans": {
        "name": "示例商业银行信用卡中心",
        "address": "上海市浦东新区世纪大道100号 邮编200120",
        "phone": "客服热线 400-000-0000",
    },
    "en": {
        "name": "Example Commercial Bank Card Centre",
        "address": "100 Century Avenue, Pudong, Shanghai 200120",
        "phone": "Customer service 400-000-0000",
    },
}
MANIFEST_COLUMNS = ["letter_id", "account", "name", "address", "pages", "registered_mail"]


class LetterError(Exception):
    """A letter cannot be made or changed; the message says why."""


@dataclass
class TrackingImportError(LetterError):
    """Tracking numbers not imported; ``errors`` lists (line, message) for every bad line."""

    errors: list[tuple[int, str]] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(_("line %(line)d: %(message)s") % {"line": n, "message": m}
                         for n, m in self.errors)


def letterhead_for(language: str) -> Letterhead:
    """The sender block; ``settings.ARREARS_LETTERHEADS`` (language → name, address, phone)
    overrides the demo bank."""
    heads = getattr(settings, "ARREARS_LETTERHEADS", DEFAULT_LETTERHEADS)
    values = heads["zh-hans" if is_chinese(language) else "en"]
    return Letterhead(name=values["name"], address=values["address"], phone=values["phone"])


def billing_address_for(account: Account) -> ContactPoint | None:
    """The cardholder's billing address, a verified one first, the newest first."""
    return (
        ContactPoint.objects.filter(
            cardholder_id=account.cardholder_id, kind=ContactPoint.Kind.BILLING_ADDRESS
        )
        .order_by("-verified", "-pk")
        .first()
    )


def letter_render_pdf(letter: Letter, *, letter_date: date | None = None) -> bytes:
    """The letter's PDF, rendered from what the letter row holds."""
    return _render(letter, letter_date or timezone.localdate()).data


def _render(letter: Letter, letter_date: date):
    return letter_pdf(
        LetterContent(
            language=letter.language,
            letterhead=letterhead_for(letter.language),
            letter_date=letter_date,
            recipient_name=letter.recipient_name,
            address=letter.address,
            subject=letter.subject,
            body=letter.body,
            reference=(_("Account %(account)s") % {"account": letter.account.external_id}),
        )
    )


def letter_create(
    account: Account,
    *,
    outbox_key: str,
    language: str,
    subject: str,
    body: str,
    template_code: str = "",
    template_version: int | None = None,
    actor=None,
) -> Letter:
    """Make and render the letter for one outbox message; the same key gives the same letter
    back, so a retried send never prints a letter twice. Addressed to the billing address."""
    existing = Letter.objects.filter(outbox_key=outbox_key).first()
    if existing:
        return existing
    address = billing_address_for(account)
    if address is None or not address.value.strip():
        raise LetterError(
            _("account %(account)s has no billing address to send a letter to")
            % {"account": account.external_id}
        )
    letter = Letter(
        account=account,
        outbox_key=outbox_key,
        language=language,
        recipient_name=account.cardholder.name,
        address=address.value.strip(),
        address_point=address,
        template_code=template_code,
        template_version=template_version,
        subject=subject,
        body=body,
    )
    rendered = _render(letter, timezone.localdate())
    letter.pdf, letter.pages = rendered.data, rendered.pages
    with transaction.atomic():
        letter.save()
        audit_record(actor=actor, action="letter_create", object_type="letters.Letter",
                     object_id=letter.pk, details={"account": account.pk, "key": outbox_key})
    return letter


def _letter_file_name(letter: Letter) -> str:
    return f"letter-{letter.pk:08d}.pdf"


def _manifest(letters: list[Letter]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(MANIFEST_COLUMNS)
    for letter in letters:
        writer.writerow([letter.pk, letter.account.external_id, letter.recipient_name,
                         letter.address, letter.pages, "yes"])
    return out.getvalue()


def letters_dir() -> Path:
    return Path(getattr(settings, "ARREARS_LETTERS_DIR", settings.ARREARS_HOME / "letters"))


def _write_zip(path: Path, letters: list[Letter], progress: bool) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for letter in tqdm(letters, unit="letter", desc=_("Print batch"), disable=not progress):
            archive.writestr(_letter_file_name(letter), bytes(letter.pdf))
        archive.writestr("manifest.csv", _manifest(letters))


def print_batch_create(
    *, out_dir: Path | None = None, limit: int | None = None, progress: bool = False, actor=None
) -> PrintBatch | None:
    """Put every rendered letter not yet batched into one ZIP for the print house (a PDF per
    letter and manifest.csv, all by registered mail). None when there is nothing to print.

    If anything fails after the ZIP is written, the ZIP is removed and no letter is marked
    batched, so a rerun picks the same letters up again."""
    directory = Path(out_dir) if out_dir else letters_dir()
    directory.mkdir(parents=True, exist_ok=True)
    zip_path = None
    try:
        with transaction.atomic():
            pending = Letter.objects.select_for_update(of=("self",)).filter(
                status=Letter.Status.RENDERED, print_batch__isnull=True
            ).select_related("account").order_by("pk")
            letters = list(pending[:limit] if limit else pending)
            if not letters:
                return None
            batch = PrintBatch.objects.create(path="", letter_count=len(letters))
            zip_path = directory / f"print-batch-{batch.pk:06d}-{timezone.now():%Y%m%d-%H%M%S}.zip"
            _write_zip(zip_path, letters, progress)
            batch.path = str(zip_path)
            batch.save(update_fields=["path"])
            Letter.objects.filter(pk__in=[letter.pk for letter in letters]).update(
                print_batch=batch, status=Letter.Status.BATCHED
            )
            audit_record(actor=actor, action="print_batch_create",
                         object_type="letters.PrintBatch", object_id=batch.pk,
                         details={"letters": len(letters), "path": str(zip_path)})
    except BaseException:
        if zip_path is not None:
            zip_path.unlink(missing_ok=True)
        raise
    return batch


def _posted_at(text: str, line: int, errors: list) -> datetime | None:
    if not text:
        return timezone.now()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors.append((line, _("posted_on %(text)r is not a date; write YYYY-MM-DD")
                       % {"text": text}))
        return None
    return timezone.make_aware(datetime.combine(day, time(12)))

TRACKING_COLUMNS = ("letter_id", "tracking_number")


def tracking_numbers_import(path: Path, *, actor=None) -> int:
    """Record the registered-mail number (and the posting date) of each letter from the print
    house's CSV: letter_id,tracking_number[,posted_on]. All or nothing: one bad line and no
    letter changes; the error lists every bad line by number. Returns the letters updated."""
    try:
        rows = csv_records(path, TRACKING_COLUMNS)
    except FileRejected as rejected:
        raise TrackingImportError(errors=[(rejected.line, rejected.reason)]) from None
    except OSError as error:
        raise LetterError(_("cannot read %(path)s: %(error)s")
                          % {"path": path, "error": error}) from None
    errors: list = []
    plan = _tracking_plan(rows, errors)
    if errors:
        raise TrackingImportError(errors=errors)
    with transaction.atomic():
        for letter, number, posted_at in plan:
            letter.tracking_number, letter.posted_at = number, posted_at
            letter.status = Letter.Status.POSTED
            letter.save(update_fields=["tracking_number", "posted_at", "status"])
        audit_record(actor=actor, action="tracking_numbers_import", object_type="letters.Letter",
                     details={"file": str(path), "letters": len(plan)})
    return len(plan)


def _tracking_plan(rows: list[tuple[int, dict]], errors: list) -> list:
    ids = {row["letter_id"].strip() for _line, row in rows if row["letter_id"].strip().isdigit()}
    letters = Letter.objects.in_bulk([int(i) for i in ids])
    taken = dict(
        Letter.objects.filter(tracking_number__in=[r["tracking_number"].strip() for _n, r in rows])
        .values_list("tracking_number", "pk")
    )
    seen: dict[str, int] = {}
    plan = []
    for line, row in rows:
        letter_id, number = row["letter_id"].strip(), (row["tracking_number"] or "").strip()
        letter = letters.get(int(letter_id)) if letter_id.isdigit() else None
        posted_at = _posted_at((row.get("posted_on") or "").strip(), line, errors)
        if letter is None:
            errors.append((line, _("no letter with id %(id)r") % {"id": letter_id}))
        elif letter.print_batch_id is None:
            errors.append((line, _("letter %(id)s has not been batched for printing")
                           % {"id": letter_id}))
        if not number:
            errors.append((line, _("the tracking number is empty")))
        elif number in seen:
            errors.append((line, _("tracking number %(n)s also on line %(other)d")
                           % {"n": number, "other": seen[number]}))
        elif taken.get(number) not in (None, getattr(letter, "pk", None)):
            errors.append((line, _("tracking number %(n)s already belongs to letter %(id)d")
                           % {"n": number, "id": taken[number]}))
        seen.setdefault(number, line)
        if letter is not None and number and posted_at is not None:
            plan.append((letter, number, posted_at))
    return plan
