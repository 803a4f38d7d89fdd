"""Reading back what a generated PDF says and which fonts it carries, for tests: enough of PDF for
the uncompressed files reportlab writes (`pageCompression=0`), not a general parser."""

import re
from dataclasses import dataclass

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\n?endstream", re.S)
_FONT_REF = re.compile(rb"/(F[\w+.-]*) (\d+) 0 R")
_TEXT_RUN = re.compile(rb"/(F[\w+.-]*) [\d.]+ Tf|\((?:\\.|[^\\)])*\)\s*Tj|\[(?:[^\]])*\]\s*TJ", re.S)
_LITERAL = re.compile(rb"\((?:\\.|[^\\)])*\)", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def _objects(pdf: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(2) for m in _OBJECT.finditer(pdf)}


def _unescape(literal: bytes) -> bytes:
    body, out, i = literal[1:-1], bytearray(), 0
    while i < len(body):
        if body[i : i + 1] == b"\\":
            octal = re.match(rb"[0-7]{1,3}", body[i + 1 : i + 4])
            if octal:
                out.append(int(octal.group(0), 8) & 0xFF)
                i += 1 + len(octal.group(0))
                continue
            out += _ESCAPES.get(body[i + 1 : i + 2], body[i + 1 : i + 2])
            i += 2
            continue
        out.append(body[i])
        i += 1
    return bytes(out)


def _to_unicode(cmap: bytes) -> dict[int, str]:
    table: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            table[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = ord(bytes.fromhex(dst.decode()).decode("utf-16-be"))
            for offset, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                table[code] = chr(start + offset)
    return table


@dataclass(frozen=True)
class PdfFonts:
    embedded: list[str]  # base font names with a /FontFile, /FontFile2 or /FontFile3
    not_embedded: list[str]  # base font names drawn from the reader's fonts (no font file)


def pdf_fonts(pdf: bytes) -> PdfFonts:
    """The fonts a PDF uses, split by whether their glyphs travel with the file. The 14 standard
    fonts (Helvetica…) count as not embedded."""
    objects = _objects(pdf)
    embedded: list[str] = []
    missing: list[str] = []
    for body in objects.values():
        if b"/Type /Font" not in body or b"/Subtype /Type0" in body:
            continue
        name = re.search(rb"/BaseFont /([^\s/]+)", body)
        if name is None:
            continue
        descriptor = re.search(rb"/FontDescriptor (\d+) 0 R", body)
        has_file = descriptor is not None and re.search(
            rb"/FontFile[23]? \d+ 0 R", objects.get(int(descriptor.group(1)), b"")
        )
        (embedded if has_file else missing).append(name.group(1).decode())
    return PdfFonts(embedded=sorted(embedded), not_embedded=sorted(missing))


def pdf_text(pdf: bytes) -> str:
    """The text shown by an uncompressed PDF, run after run, decoded through each font's ToUnicode
    map (bytes as Latin-1 for fonts without one). Runs are joined without separators."""
    objects = _objects(pdf)
    maps: dict[str, dict[int, str] | None] = {}
    for body in objects.values():
        for name, ref in _FONT_REF.findall(body):
            font = objects.get(int(ref), b"")
            cmap_ref = re.search(rb"/ToUnicode (\d+) 0 R", font)
            stream = _STREAM.search(objects.get(int(cmap_ref.group(1)), b"")) if cmap_ref else None
            maps[name.decode()] = _to_unicode(stream.group(1)) if stream else None
    out: list[str] = []
    for body in objects.values():
        stream = _STREAM.search(body)
        if stream is None or b"Tf" not in stream.group(1):
            continue
        current: dict[int, str] | None = None
        for run in _TEXT_RUN.finditer(stream.group(1)):
            if run.group(1) is not None:
                current = maps.get(run.group(1).decode())
                continue
            for literal in _LITERAL.findall(run.group(0)):
                raw = _unescape(literal)
                out.append("".join(current.get(b, "") for b in raw) if current else raw.decode("latin-1"))
    return "".join(out)
