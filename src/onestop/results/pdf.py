"""A4 result documents in Kazakh, Russian or English, drawn with fpdf2 and DejaVu Sans.

The same inputs give the same bytes: the document's dates come from `issued_at`, never from
the clock, so a signature over a result can be checked against a document drawn again.
"""

import datetime
import logging
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from fpdf import FPDF, FontFace
from fpdf.enums import TableBordersLayout, TableCellFillMode, VAlign, XPos, YPos

# fontTools reports every step of font subsetting at INFO: one document would flood the log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT = "DejaVuSans"
FONT_DIR = ("dejavu-fonts-ttf", "ttf")
PLATFORM = "onestop"

INK = (33, 37, 41)
MUTED = (96, 104, 112)
BAND = (0, 84, 130)
ACCENT = (254, 197, 12)
LABEL_FILL = (241, 244, 247)
RULE = (206, 212, 218)

MARGIN = 18.0
BAND_HEIGHT = 30.0
FOOTER_LINE = 4.1
FOOTER_PADDING = 3.5


def _font_path(name: str) -> Path:
    path = Path(settings.NODE_MODULES).joinpath(*FONT_DIR, name)
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: the DejaVu fonts come from npm (run the set-up command)"
        )
    return path


def _when(issued_at: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(issued_at) if timezone.is_aware(issued_at) else issued_at


def _line_count(pdf: FPDF, width: float, height: float, text: str) -> int:
    lines = pdf.multi_cell(width, height, text, dry_run=True, output="LINES")
    assert isinstance(lines, list)
    return len(lines)


class _Document(FPDF):
    """A page with the issuer's band on top and the electronic-signature note at the bottom."""

    def __init__(self, *, issuer: str, number: str, issued_at: datetime.datetime, footer: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.issuer = issuer
        self.number = number
        self.issued_at = issued_at
        self.footer_text = footer
        self.add_font(FONT, "", str(_font_path("DejaVuSans.ttf")))
        self.add_font(FONT, "B", str(_font_path("DejaVuSans-Bold.ttf")))
        self.set_margins(MARGIN, BAND_HEIGHT + 12, MARGIN)
        self.footer_height = 14.0
        self.alias_nb_pages("{nb}")

    def start(self) -> None:
        """The first page; the footer's height is measured on it and kept free on every page."""
        self.add_page()
        self.set_font(FONT, "", 8.2)
        lines = _line_count(self, self.w - 2 * MARGIN - 12, FOOTER_LINE, self.footer_text)
        self.footer_height = max(14.0, lines * FOOTER_LINE + 2 * FOOTER_PADDING)
        self.set_auto_page_break(auto=True, margin=self.footer_height + 20)

    def header(self) -> None:
        width = self.w
        self.set_fill_color(*BAND)
        self.rect(0, 0, width, BAND_HEIGHT, style="F")
        self.set_fill_color(*ACCENT)
        self.rect(0, BAND_HEIGHT, width, 1.6, style="F")

        right_width = 52.0
        self.set_text_color(255, 255, 255)
        issuer_width = width - 2 * MARGIN - right_width - 6
        for size in (11.5, 10.5, 9.5, 8.5):  # the largest that fits the band in three lines
            self.set_font(FONT, "B", size)
            if _line_count(self, issuer_width, size * 0.47, self.issuer) <= 3:
                break
        self.set_xy(MARGIN, 8)
        self.multi_cell(issuer_width, size * 0.47, self.issuer, align="L")

        self.set_font(FONT, "B", 10.5)
        self.set_xy(width - MARGIN - right_width, 8)
        self.cell(right_width, 5.4, f"№ {self.number}", align="R")
        self.set_font(FONT, "", 9.5)
        self.set_xy(width - MARGIN - right_width, 14)
        self.cell(right_width, 5, self.issued_at.strftime("%d.%m.%Y %H:%M"), align="R")
        self.set_xy(width - MARGIN - right_width, 19.5)
        self.set_text_color(205, 225, 238)
        self.set_font(FONT, "", 8)
        self.cell(right_width, 4.5, PLATFORM, align="R")

        self.set_text_color(*INK)
        self.set_xy(MARGIN, BAND_HEIGHT + 12)

    def footer(self) -> None:
        top = self.h - self.footer_height - 10
        inner = self.w - 2 * MARGIN
        self.set_draw_color(*BAND)
        self.set_line_width(0.4)
        self.set_fill_color(*LABEL_FILL)
        self.rect(MARGIN, top, inner, self.footer_height, style="DF")
        self.set_fill_color(*BAND)
        self.rect(MARGIN, top, 2.2, self.footer_height, style="F")

        self.set_text_color(*INK)
        self.set_font(FONT, "", 8.2)
        self.set_xy(MARGIN + 6, top + FOOTER_PADDING)
        self.multi_cell(inner - 12, FOOTER_LINE, self.footer_text, align="L")

        self.set_text_color(*MUTED)
        self.set_font(FONT, "", 7.5)
        self.set_xy(MARGIN, self.h - 8.5)
        self.cell(inner, 4, f"{self.page_no()} / {{nb}}", align="R")


def render_certificate_pdf(
    *,
    title: str,
    issuer: str,
    number: str,
    issued_at: datetime.datetime,
    language: str,
    rows: list[tuple[str, str]],
    paragraphs: list[str],
    footer: str,
) -> bytes:
    """An A4 document: the issuer's band with the number and date, the title, a table of
    label and value rows, the paragraphs, and a note on how the electronic signature is
    checked. Same inputs, same bytes."""
    languages = {code for code, _name in settings.LANGUAGES}
    if language not in languages:
        raise ValueError(f"language must be one of {sorted(languages)}, not {language!r}")
    when = _when(issued_at)
    pdf = _Document(issuer=issuer, number=number, issued_at=when, footer=footer)
    pdf.set_lang(language)
    pdf.set_title(title)
    pdf.set_author(issuer)
    pdf.set_subject(f"{title} № {number}")
    pdf.set_creator(PLATFORM)
    pdf.set_producer(PLATFORM)
    pdf.set_creation_date(when)
    pdf.start()

    inner = pdf.w - 2 * MARGIN
    pdf.set_font(FONT, "B", 16)
    pdf.set_text_color(*INK)
    pdf.multi_cell(inner, 8, title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.8)
    middle = pdf.w / 2
    pdf.line(middle - 18, pdf.get_y(), middle + 18, pdf.get_y())
    pdf.ln(8)

    if rows:
        pdf.set_font(FONT, "", 10)
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.25)
        with pdf.table(
            col_widths=(38, 62),
            width=inner,
            first_row_as_headings=False,
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            cell_fill_color=LABEL_FILL,
            cell_fill_mode=TableCellFillMode.EVEN_COLUMNS,
            text_align=("LEFT", "LEFT"),
            v_align=VAlign.T,
            line_height=5.4,
            padding=(2.4, 3),
        ) as table:
            label_style = FontFace(family=FONT, emphasis="", color=MUTED)
            value_style = FontFace(family=FONT, emphasis="BOLD", color=INK)
            for label, value in rows:
                row = table.row()
                row.cell(label, style=label_style)
                row.cell(value, style=value_style)
        pdf.ln(8)

    pdf.set_font(FONT, "", 10.5)
    pdf.set_text_color(*INK)
    for paragraph in paragraphs:
        pdf.multi_cell(inner, 5.6, paragraph, align="J", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)

    return bytes(pdf.output())
