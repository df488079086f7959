"""Builders of small hostile (and small valid) files for ``test_hostile.py`` and ``test_fuzz.py``.

Everything is generated in memory in milliseconds: a deflate stream of N identical
blocks is one compressed block repeated (after a full flush the compressor's
output for the same input repeats), so a 2 GiB member takes ~2 MB and no CPU to make.

>>> import zlib
>>> data, crc = deflate_repeated(b"x" * 1024, 3)
>>> zlib.decompressobj(-15).decompress(data) == b"x" * 3072, crc == zlib.crc32(b"x" * 3072)
(True, True)
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Sequence

MB = 1024 * 1024
#: A page's text in the PDFs built here (Helvetica, one line).
PDF_TEXT = b"BT /F1 12 Tf 72 720 Td (The General Assembly, Recalling its resolution 70/1,) Tj ET\n"


def deflate_repeated(chunk: bytes, times: int, *, zlib_header: bool = False) -> tuple[bytes, int]:
    """Deflate data of ``chunk * times`` (raw, or with the zlib header PDF streams use) and its CRC-32."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 15 if zlib_header else -15)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(times):
        crc = zlib.crc32(chunk, crc)
    return first + block * (times - 1) + compressor.flush(), crc


def zip_archive(members: Sequence[tuple[str, bytes, int, int]]) -> bytes:
    """A zip written by hand from ``(name, raw deflate data, crc, declared size)``: the declared size
    may be anything (true, or a lie), which ``zipfile`` cannot write."""
    out = io.BytesIO()
    central = io.BytesIO()
    for name, data, crc, size in members:
        offset = out.tell()
        encoded = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0))
        out.write(encoded + data)
        central.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data), size,
                                  len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    out.write(central.getvalue())
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central.getvalue()),
                          start, 0))
    return out.getvalue()


def deflated(data: bytes) -> tuple[str, bytes, int, int]:
    """A member's fields for ``zip_archive`` holding ``data`` honestly (name to be set by the caller)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return "", compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)


def docx_bomb(gigabytes: float = 2.0, *, declared: int | None = None) -> bytes:
    """A "Word document" of a few MB whose ``word/document.xml`` inflates to ``gigabytes`` GiB of spaces;
    ``declared`` is the size its headers claim (default: the truth)."""
    times = int(gigabytes * 1024)
    data, crc = deflate_repeated(b" " * MB, times)
    size = times * MB if declared is None else declared
    if declared is not None:
        crc = zlib.crc32(b" " * declared)  # a lie that passes the CRC check at the declared length
    _, types, types_crc, types_size = deflated(b"<Types/>")
    return zip_archive([("[Content_Types].xml", types, types_crc, types_size),
                        ("word/document.xml", data, crc, size)])


def docx_bytes(paragraphs: Sequence[str] = ("The General Assembly,", "1. Decides to act.")) -> bytes:
    """A small valid Word document (python-docx)."""
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_with_document_xml(replace: Sequence[tuple[str, str]], prolog: str = "") -> bytes:
    """``docx_bytes()`` with ``word/document.xml`` edited: each (old, new) replaced, ``prolog`` (a DTD)
    put after the XML declaration."""
    source = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "word/document.xml":
                text = data.decode("utf-8")
                declaration, _, body = text.partition("?>")
                for old, new in replace:
                    body = body.replace(old, new)
                data = (declaration + "?>" + prolog + body).encode("utf-8")
            target.writestr(name, data)
    return out.getvalue()


def pdf_bytes(pages: int = 1, content: bytes = PDF_TEXT, *, compressed: bytes | None = None) -> bytes:
    """A PDF of ``pages`` pages sharing one content stream: ``content`` (deflated here), or ``compressed``
    (already FlateDecode data, e.g. a bomb from ``deflate_repeated(..., zlib_header=True)``)."""
    stream = compressed if compressed is not None else zlib.compress(content)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (5 + i) for i in range(pages)) + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
            b" /Contents 4 0 R >>")
    objects += [page] * pages
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()
