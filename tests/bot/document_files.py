"""Real files for the upload tests, made here: good ones and the bad ones owners (or attackers)
send. Every bad file is named as if it were fine."""

from __future__ import annotations

import io
import zipfile
import zlib

from PIL import Image


def png(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    """A photo as a phone makes it: EXIF with a GPS position and a camera comment."""
    image = Image.new("RGB", (80, 60), (20, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 3.0, 12.5), 3: "E", 4: (3.0, 43.0, 1.0)}  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"hidden comment")
    return out.getvalue()


def pdf(extra: bytes = b"") -> bytes:
    """A minimal one-page PDF; `extra` goes into the catalog dictionary."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    body += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    body += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    body += f"startxref\n{xref}\n%%EOF\n".encode()
    return body


def pdf_with_javascript() -> bytes:
    return pdf(b"/OpenAction << /S /JavaScript /JS (app.alert('hallo')) >>")


def pdf_with_escaped_javascript() -> bytes:
    """The same, with the name written with #xx escapes, as malware does."""
    return pdf(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>")


def pdf_with_javascript_in_a_stream() -> bytes:
    """JavaScript inside a compressed object stream: invisible in the raw bytes."""
    hidden = zlib.compress(b"<< /S /JavaScript /JS (app.alert(1)) >>")
    stream = b"4 0 obj\n<< /Type /ObjStm /Filter /FlateDecode /Length %d >>\nstream\n" % \
        len(hidden) + hidden + b"\nendstream\nendobj\n"
    base = pdf()
    return base.replace(b"xref\n", stream + b"xref\n", 1)


def renamed_exe() -> bytes:
    """The start of a Windows executable (MZ header, DOS stub), saved as plan.pdf."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + \
        b"This program cannot be run in DOS mode.\r\r\n$" + bytes(200)


def truncated_png() -> bytes:
    data = png(400, 300)
    return data[: len(data) // 2]


def png_zip_polyglot() -> bytes:
    """A valid picture with a ZIP archive glued to its end (opens as both)."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("payload.js", "alert(1)")
    return png() + archive.getvalue()


def pdf_zip_polyglot() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("evil.exe", b"MZ" + bytes(100))
    return pdf() + archive.getvalue()


def png_bomb() -> bytes:
    """A few hundred kilobytes that decode to 30000 x 30000 pixels."""
    out = io.BytesIO()
    Image.new("1", (30000, 30000)).save(out, format="PNG")
    return out.getvalue()


def thirty_megabytes() -> bytes:
    return b"%PDF-1.4\n" + bytes(30 * 1024 * 1024)
