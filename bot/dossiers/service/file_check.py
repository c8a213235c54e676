"""What an owner's document may be: a PDF, JPEG or PNG of at most 10 MB, recognised by its
bytes (never by its name or the Content-Type the browser sends).

* Images are decoded and encoded again with Pillow: what is stored is a fresh file with the
  pixels only (no EXIF, GPS, comments, text chunks or anything appended), turned upright first.
* PDFs are stored as they are, but only without active or hidden content: no JavaScript, no
  launch or submit actions, no embedded files, no XFA forms, no rich media. Names are read
  with their `#xx` escapes undone and inside compressed streams (bounded, against bombs).
* Anything that is two things at once (a polyglot: a ZIP archive hidden at the end, a PDF
  header inside an image, data after an image's end) is refused.

`check_document` raises `DocumentRejected` with a `code` the callers turn into Dutch text."""

from __future__ import annotations

import io
import re
import struct
import warnings
import zlib
from dataclasses import dataclass

from PIL import Image, ImageOps

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40 megapixel photo; more is a decompression bomb for our purposes
MAX_INFLATED_BYTES = 64 * 1024 * 1024  # all streams of one PDF together, when scanning them
PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ZIP_END = b"PK\x05\x06"  # end of a ZIP central directory: ZIP readers look for it from the end
ZIP_TAIL = 65_536 + 22
FORBIDDEN_PDF_NAMES = frozenset({
    "JavaScript", "JS", "Launch", "EmbeddedFile", "EmbeddedFiles", "RichMedia", "XFA",
    "SubmitForm", "ImportData", "GoToE",
})
_PDF_NAME = re.compile(rb"/([A-Za-z0-9#]{1,64})")
_PDF_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n")


class DocumentRejected(Exception):
    """Codes: empty, too_large, unsupported_type, damaged, too_many_pixels,
    pdf_active_content, polyglot."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CleanDocument:
    content: bytes
    content_type: str

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def sniff(data: bytes) -> str | None:
    """The type the bytes say they are (PDF must start with its header, as we store it)."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(PNG_SIGNATURE):
        return PNG
    return None


def check_document(data: bytes) -> CleanDocument:
    if not data:
        raise DocumentRejected("empty")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentRejected("too_large")
    kind = sniff(data)
    if kind is None:
        raise DocumentRejected("unsupported_type")
    if ZIP_END in data[-ZIP_TAIL:]:
        raise DocumentRejected("polyglot")
    if kind == PDF:
        return CleanDocument(_checked_pdf(data), PDF)
    if b"%PDF-" in data[:1024]:  # PDF readers accept a header anywhere in the first 1024 bytes
        raise DocumentRejected("polyglot")
    if kind == PNG:
        _png_structure(data)
    else:
        _jpeg_end(data)
    return CleanDocument(_reencoded(data, kind), kind)


# --- PDF ---------------------------------------------------------------------------------------
def _names(chunk: bytes) -> set[str]:
    found = set()
    for match in _PDF_NAME.finditer(chunk):
        raw = _PDF_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), match[1])
        found.add(raw.decode("latin-1"))
    return found


def _inflated_streams(data: bytes) -> list[bytes]:
    """Every stream that inflates (Flate), bounded in total so a bomb stops early."""
    budget = MAX_INFLATED_BYTES
    out = []
    for match in _STREAM.finditer(data):
        end = data.find(b"endstream", match.end())
        if end < 0:
            break
        inflater = zlib.decompressobj()
        try:
            chunk = inflater.decompress(data[match.end():end], budget)
        except zlib.error:
            continue
        budget -= len(chunk)
        out.append(chunk)
        if budget <= 0 or inflater.unconsumed_tail:
            raise DocumentRejected("damaged")  # more than any real plan or photo inflates to
    return out


def _checked_pdf(data: bytes) -> bytes:
    if b"%%EOF" not in data[-1024:]:
        raise DocumentRejected("damaged")
    names = _names(data)
    for chunk in _inflated_streams(data):
        names |= _names(chunk)
    if names & FORBIDDEN_PDF_NAMES:
        raise DocumentRejected("pdf_active_content")
    return data


# --- images -------------------------------------------------------------------------------------
def _png_structure(data: bytes) -> None:
    """Chunks must follow each other up to IEND, and the file must end there."""
    position = len(PNG_SIGNATURE)
    while True:
        if position + 12 > len(data):
            raise DocumentRejected("damaged")
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        end = position + 12 + length
        if end > len(data):
            raise DocumentRejected("damaged")
        crc = struct.unpack(">I", data[end - 4:end])[0]
        if zlib.crc32(data[position + 4:end - 4]) != crc:
            raise DocumentRejected("damaged")
        position = end
        if kind == b"IEND":
            break
    if position != len(data):
        raise DocumentRejected("polyglot")


def _jpeg_end(data: bytes) -> None:
    end = data.rfind(b"\xff\xd9")
    if end < 0:
        raise DocumentRejected("damaged")
    if data[end + 2:].strip(b"\x00\r\n "):
        raise DocumentRejected("polyglot")


def _reencoded(data: bytes, kind: str) -> bytes:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=["PNG" if kind == PNG else "JPEG"]) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise DocumentRejected("too_many_pixels")
                image.load()
                upright = ImageOps.exif_transpose(image)
                return _encode(upright, kind)
    except DocumentRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise DocumentRejected("too_many_pixels") from None
    except (OSError, SyntaxError, ValueError, struct.error, EOFError):
        raise DocumentRejected("damaged") from None


def _encode(image: Image.Image, kind: str) -> bytes:
    out = io.BytesIO()
    transparency = image.info.get("transparency")
    image.info = {} if transparency is None else {"transparency": transparency}
    # nothing of the upload's metadata travels on (ICC profiles, EXIF, text chunks)
    if kind == PNG:
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
            image = image.convert("RGBA")
        image.save(out, format="PNG", optimize=False)
    else:
        if image.mode not in ("L", "RGB", "CMYK"):
            image = image.convert("RGB")
        image.save(out, format="JPEG", quality=90)
    encoded = out.getvalue()
    if len(encoded) > MAX_DOCUMENT_BYTES:
        raise DocumentRejected("too_large")
    return encoded
