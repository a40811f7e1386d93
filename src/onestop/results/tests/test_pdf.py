"""Result documents: A4 PDF, Kazakh text that tools can read back, same inputs same bytes."""

import datetime
import re
import shutil
import subprocess
import zoneinfo

import pytest

from onestop.results import render_certificate_pdf

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")
KAZAKH_TITLE = "Жылжымайтын мүліктің болмауы туралы анықтама"
KAZAKH_LETTERS = "ә ғ қ ң ө ұ ү һ і Ә Ғ Қ Ң Ө Ұ Ү Һ І"


def document(**changes) -> dict:
    values = {
        "title": KAZAKH_TITLE,
        "issuer": "Қазақстан Республикасының Әділет министрлігі",
        "number": "MJ-2026-000123",
        "issued_at": datetime.datetime(2026, 3, 14, 10, 25, tzinfo=ALMATY),
        "language": "kk",
        "rows": [
            ("Өтініш беруші", "Әлихан Нұрланұлы Серікбаев"),
            ("ЖСН", "900101300123"),
            ("Әріптер", KAZAKH_LETTERS),
        ],
        "paragraphs": ["Осы анықтама тіркелген жылжымайтын мүліктің жоқ екенін растайды."],
        "footer": "Құжат электрондық цифрлық қолтаңбамен қол қойылған. Тексеру: /api/v1/signatures/ca.",
    }
    values.update(changes)
    return values


def text_of(pdf: bytes, tmp_path) -> str:
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed"
    path = tmp_path / "result.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return " ".join(result.stdout.decode().split())


def info_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "info.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdfinfo", "-isodates", str(path)], capture_output=True, check=True, text=True
    ).stdout


def test_the_document_is_an_a4_pdf_with_its_dates_from_issued_at(tmp_path):
    pdf = render_certificate_pdf(**document())
    assert pdf.startswith(b"%PDF")
    info = info_of(pdf, tmp_path)
    assert "A4" in info
    assert "Pages:           1" in info
    assert "2026-03-14T10:25:00+05" in info or "2026-03-14T05:25:00Z" in info


def test_kazakh_title_and_letters_come_back_from_pdftotext(tmp_path):
    text = text_of(render_certificate_pdf(**document()), tmp_path)
    assert KAZAKH_TITLE in text
    assert "Әлихан Нұрланұлы Серікбаев" in text
    for letter in KAZAKH_LETTERS.split():
        assert letter in text
    assert "№ MJ-2026-000123" in text
    assert "14.03.2026 10:25" in text
    assert "электрондық цифрлық қолтаңбамен" in text


def test_russian_and_english_documents(tmp_path):
    russian = render_certificate_pdf(
        **document(
            title="Справка об отсутствии недвижимого имущества",
            language="ru",
            rows=[("Заявитель", "Иванова Мария Петровна")],
        )
    )
    english = render_certificate_pdf(
        **document(title="Certificate of address", language="en", rows=[("Applicant", "Aliya")])
    )
    assert "Справка об отсутствии недвижимого имущества" in text_of(russian, tmp_path)
    assert "Certificate of address" in text_of(english, tmp_path)


def test_same_inputs_give_the_same_bytes():
    assert render_certificate_pdf(**document()) == render_certificate_pdf(**document())
    later = document(issued_at=datetime.datetime(2026, 3, 15, 10, 25, tzinfo=ALMATY))
    assert render_certificate_pdf(**later) != render_certificate_pdf(**document())


def test_a_long_document_flows_onto_more_pages_with_the_footer_on_each(tmp_path):
    rows = [(f"Жол {n}", f"Мән {n}: " + "қазақша мәтін " * 6) for n in range(60)]
    pdf = render_certificate_pdf(**document(rows=rows))
    info = info_of(pdf, tmp_path)
    pages = int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])
    assert pages > 1
    text = text_of(pdf, tmp_path)
    assert "Жол 59" in text
    assert text.count("электрондық цифрлық қолтаңбамен") == pages
    assert re.search(rf"{pages}\s*/\s*{pages}", text)


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="language"):
        render_certificate_pdf(**document(language="de"))
