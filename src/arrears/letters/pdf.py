"""Rendering a letter to PDF with ReportLab: A4, the bank's letterhead on every page, the date,
the addressee block, the body paragraphs, the bank's seal (CN-10) and page numbers.

Chinese text uses the built-in CID font ``STSong-Light`` (no font files needed, nothing
embedded), English text Helvetica. Pure: no database, the caller hands in a ``LetterContent``.
"""

import math
import re
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

CHINESE_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
SEAL_RED = colors.Color(0.8, 0.1, 0.1)
MARGIN = 22 * mm
LETTERHEAD_HEIGHT = 28 * mm

pdfmetrics.registerFont(UnicodeCIDFont(CHINESE_FONT))

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_MONTHS = (
    "January February March April May June July August September October November December"
).split()


@dataclass(frozen=True)
class Letterhead:
    """The sender: the bank (or its card centre) as printed at the top and on the seal."""

    name: str
    address: str
    phone: str


@dataclass(frozen=True)
class LetterContent:
    language: str
    letterhead: Letterhead
    letter_date: date
    recipient_name: str
    address: str
    subject: str
    body: str
    reference: str = ""


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int


def is_chinese(language: str) -> bool:
    return language.lower().startswith("zh")


def font_for(text: str, language: str) -> str:
    """Helvetica has no Chinese glyphs: any text with Chinese characters (a Chinese name in an
    English letter, say) is set in the CID font."""
    return CHINESE_FONT if is_chinese(language) or _CJK.search(text) else LATIN_FONT


def date_written(day: date, language: str) -> str:
    if is_chinese(language):
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def page_label(page: int, total: int, language: str) -> str:
    if is_chinese(language):
        return f"第 {page} 页 / 共 {total} 页"
    return f"Page {page} of {total}"


def body_paragraphs(body: str) -> list[str]:
    """Paragraphs are separated by blank lines; single line breaks inside one are kept."""
    blocks = re.split(r"\n\s*\n", body.replace("\r\n", "\n").strip())
    return [block.strip() for block in blocks if block.strip()]


class Seal(Flowable):
    """The business seal (公章) drawn as a red ring with the bank's name along the upper arc
    and a star in the middle: CN-10 asks for the seal on every collection letter."""

    def __init__(self, bank_name: str, radius: float = 20 * mm):
        super().__init__()
        self.bank_name = bank_name
        self.radius = radius
        self.width = self.height = 2 * radius

    def draw(self):
        c, r = self.canv, self.radius
        c.saveState()
        c.translate(r, r)
        c.setStrokeColor(SEAL_RED)
        c.setFillColor(SEAL_RED)
        c.setLineWidth(1.6)
        c.circle(0, 0, r - 1, stroke=1, fill=0)
        self._draw_star(c, r * 0.28)
        self._draw_name_on_arc(c, r * 0.74)
        c.restoreState()

    @staticmethod
    def _draw_star(c, size: float) -> None:
        points = []
        for i in range(10):
            angle = math.pi / 2 + i * math.pi / 5
            length = size if i % 2 == 0 else size * 0.4
            points.append((length * math.cos(angle), length * math.sin(angle)))
        path = c.beginPath()
        path.moveTo(*points[0])
        for point in points[1:]:
            path.lineTo(*point)
        path.close()
        c.drawPath(path, stroke=0, fill=1)

    def _draw_name_on_arc(self, c, radius: float) -> None:
        text = self.bank_name
        font = font_for(text, "en")
        size = 7 if font == CHINESE_FONT else 5.5
        span = math.radians(min(240, 14 * len(text) if font == CHINESE_FONT else 8 * len(text)))
        step = span / max(len(text) - 1, 1)
        start = math.pi / 2 + span / 2
        for i, char in enumerate(text):
            angle = start - i * step
            c.saveState()
            c.translate(radius * math.cos(angle), radius * math.sin(angle))
            c.rotate(math.degrees(angle) - 90)
            c.setFont(font, size)
            c.drawCentredString(0, -size / 2, char)
            c.restoreState()


def _numbered_canvas_class(language: str, page_counts: list[int]):
    """A canvas that knows the page count when it writes the footers ("page 1 of 3"); it
    appends the count to ``page_counts`` for the caller."""

    class NumberedCanvas(pdf_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 (ReportLab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            page_counts.append(total)
            for state in self._pages:
                self.__dict__.update(state)
                label = page_label(self._pageNumber, total, language)
                self.setFont(font_for(label, language), 8)
                self.setFillColor(colors.grey)
                self.drawCentredString(A4[0] / 2, 12 * mm, label)
                super().showPage()
            super().save()

    return NumberedCanvas


def _draw_letterhead(letterhead: Letterhead, language: str):
    def on_page(c, doc):
        width, height = A4
        top = height - 14 * mm
        c.saveState()
        c.setFillColor(SEAL_RED)
        bold = CHINESE_FONT if font_for(letterhead.name, language) == CHINESE_FONT else LATIN_BOLD
        c.setFont(bold, 15)
        c.drawString(MARGIN, top - 4 * mm, letterhead.name)
        c.setFillColor(colors.black)
        for offset, line in ((10, letterhead.address), (14.5, letterhead.phone)):
            c.setFont(font_for(line, language), 8.5)
            c.drawString(MARGIN, top - offset * mm, line)
        c.setStrokeColor(SEAL_RED)
        c.setLineWidth(1.2)
        c.line(MARGIN, top - 17 * mm, width - MARGIN, top - 17 * mm)
        c.restoreState()

    return on_page


def _style(name: str, text: str, language: str, **extra) -> ParagraphStyle:
    font = font_for(text, language)
    values = {"fontName": font, "fontSize": 10.5, "leading": 16, "spaceAfter": 6}
    if font == CHINESE_FONT:
        values["wordWrap"] = "CJK"
    values.update(extra)
    return ParagraphStyle(name, **values)


def _paragraph(text: str, language: str, **style) -> Paragraph:
    markup = escape(text).replace("\n", "<br/>")
    return Paragraph(markup, _style("p", text, language, **style))


def letter_pdf(content: LetterContent) -> RenderedPdf:
    """Render the letter; returns the PDF bytes and its page count."""
    lang = content.language
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=LETTERHEAD_HEIGHT + 8 * mm,
        bottomMargin=22 * mm,
        title=content.subject,
        author=content.letterhead.name,
    )
    story: list[Flowable] = [
        _paragraph(date_written(content.letter_date, lang), lang, alignment=2),
        _paragraph(content.recipient_name, lang, spaceAfter=0),
        _paragraph(content.address, lang, spaceAfter=14),
    ]
    if content.reference:
        story.append(_paragraph(content.reference, lang, fontSize=8.5, textColor=colors.grey))
    if content.subject:
        story.append(_paragraph(content.subject, lang, fontSize=13, leading=18, spaceAfter=10))
    story += [_paragraph(block, lang) for block in body_paragraphs(content.body)]
    story += [
        Spacer(1, 8 * mm),
        _paragraph(content.letterhead.name, lang, alignment=2),
        _paragraph(date_written(content.letter_date, lang), lang, alignment=2),
        Seal(content.letterhead.name),
    ]
    story[-1].hAlign = "RIGHT"
    on_page = _draw_letterhead(content.letterhead, lang)
    page_counts: list[int] = []
    canvas_class = _numbered_canvas_class(lang, page_counts)
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page, canvasmaker=canvas_class)
    return RenderedPdf(data=buffer.getvalue(), pages=page_counts[-1])
