"""The signed offer: accepted types checked on the bytes, size limit, safe names for the download."""

import hashlib
import io
import zipfile

import pytest

from crm_deals.domain.close_requests import MAX_OFFER_BYTES, FileTooLarge, SignedOffer, safe_filename
from crm_deals.entrypoints.close_request_schemas import content_disposition
from crm_shared.errors import InvalidInput

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT_TYPE = "application/vnd.oasis.opendocument.text"


def archive(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name, data in entries.items():
            out.writestr(name, data)
    return buffer.getvalue()


DOCX = archive({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = archive({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = archive({"mimetype": ODT_TYPE.encode(), "content.xml": b"<office:document-content/>"})


@pytest.mark.parametrize(
    ("content", "declared", "stored_type", "filename"),
    [
        (PDF, "application/pdf", "application/pdf", "offer.pdf"),
        (PNG, "image/png", "image/png", "offer.png"),
        (JPEG, "image/jpeg", "image/jpeg", "offer.jpg"),
        (DOCX, DOCX_TYPE, DOCX_TYPE, "offer.docx"),
        (XLSX, XLSX_TYPE, XLSX_TYPE, "offer.xlsx"),
        (ODT, ODT_TYPE, ODT_TYPE, "offer.odt"),
        (PDF, "application/octet-stream", "application/pdf", "offer.pdf"),  # the bytes decide
        (PDF, None, "application/pdf", "offer.pdf"),
        (PDF, "Application/PDF; name=offer.pdf", "application/pdf", "offer.pdf"),
    ],
)
def test_accepted_documents(content, declared, stored_type, filename):
    offer = SignedOffer.of(filename="offer.bin", declared_type=declared, content=content)
    assert offer.content_type == stored_type
    assert offer.filename == filename
    assert offer.size == len(content)
    assert offer.sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize(
    ("content", "declared"),
    [
        (b"<html><script>alert(1)</script></html>", "application/pdf"),  # a lie about the type
        (PNG, "application/pdf"),  # an accepted type, but not the declared one
        (PDF, "text/html"),  # a type that is not accepted at all
        (b"MZ\x90\x00 executable", "application/octet-stream"),
        (archive({"payload.exe": b"MZ"}), "application/octet-stream"),  # a zip, not a document
        (archive({"mimetype": b"application/x-evil", "a": b""}), ODT_TYPE),
        (b"PK\x03\x04 truncated", DOCX_TYPE),
        (b"", "application/pdf"),
    ],
)
def test_refused_documents_name_the_file(content, declared):
    with pytest.raises(InvalidInput) as refused:
        SignedOffer.of(filename="offer.pdf", declared_type=declared, content=content)
    assert refused.value.extra["errors"][0]["field"] == "file"


def test_over_ten_megabytes_is_refused():
    with pytest.raises(FileTooLarge) as refused:
        SignedOffer.of(
            filename="a.pdf", declared_type="application/pdf", content=PDF.ljust(MAX_OFFER_BYTES + 1)
        )
    assert refused.value.status == 413
    assert refused.value.extra["errors"][0]["field"] == "file"
    assert SignedOffer.of(filename="a.pdf", declared_type=None, content=PDF.ljust(MAX_OFFER_BYTES)).size == (
        MAX_OFFER_BYTES
    )


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd.pdf"),
        ("C:\\Users\\csm\\Offre signée.PDF", "Offre signée.pdf"),
        ("offer\r\nX-Injected: 1.pdf", "offer X-Injected: 1.pdf"),
        ("offer.exe", "offer.pdf"),
        ("  ..  ", "signed-offer.pdf"),
        (None, "signed-offer.pdf"),
        ("a" * 400 + ".pdf", "a" * 200 + ".pdf"),
    ],
)
def test_file_names_are_sanitised(given, kept):
    assert safe_filename(given, "application/pdf") == kept


def test_content_disposition_has_an_ascii_fallback_and_the_utf8_name():
    header = content_disposition('Offre "signée" 100%.pdf')
    assert header == (
        'attachment; filename="Offre _sign_e_ 100_.pdf"; '
        "filename*=UTF-8''Offre%20%22sign%C3%A9e%22%20100%25.pdf"
    )
