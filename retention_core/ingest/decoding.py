"""The text of a CSV upload: its encoding found (byte-order mark, then strict UTF-8, then cp1252; a file mixing
UTF-8 and cp1252 decoded line by line, the cp1252 lines counted for a warning) and its line ends made plain.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import numpy as np

from retention_core.ingest.contract import LoadError
from retention_core.ingest.guards import check_deadline, looks_like_text


@dataclass(frozen=True)
class Decoded:
    """The text of a CSV upload, its encoding, and the lines (1-based) read as cp1252 in a file that mixes it with
    UTF-8 (their count and the first few)."""

    text: str
    encoding: str
    cp1252_lines: int = 0
    cp1252_examples: tuple[int, ...] = ()


#: A character beyond ASCII decoded from valid UTF-8 (not one of the surrogates that stand for undecodable bytes).
_UTF8_BEYOND_ASCII = re.compile(r"[^\x00-\x7f\udc80-\udcff]")
#: How much of a mixed file is tried as UTF-8 at once before its lines are decoded one by one.
_DECODE_CHUNK_BYTES = 1024 * 1024


def decode_text(data: bytes, filename: str = "") -> tuple[str, str]:
    """The text of a CSV upload and its encoding: byte-order marks (UTF-8, UTF-16 LE/BE) first, then strict UTF-8,
    then cp1252; UTF-16 without a mark is recognised by its zero bytes. A file that is valid UTF-8 is UTF-8; one
    with valid UTF-8 beyond ASCII on some lines and bytes that are not UTF-8 on others mixes the two (copy and
    paste between tools): each line is read as UTF-8 where it is valid and as cp1252 where not (encoding
    ``utf-8+cp1252``; :func:`decode` counts those lines). Binary data, and a mixed line that is not cp1252 either,
    raise LoadError."""
    decoded = decode(data, filename)
    return decoded.text, decoded.encoding


def decode(data: bytes, filename: str, deadline: float | None = None) -> Decoded:
    """:func:`decode_text` with the lines read as cp1252 in a mixed file; checks ``deadline`` while decoding."""
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        codec = "utf-16-le" if data.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"
        return _decoded_as(data[2:], codec, codec, filename)
    if not data.startswith(codecs.BOM_UTF8) and b"\x00" in data[:4096] and len(data) >= 2:
        sample = np.frombuffer(data[: min(len(data) // 2 * 2, 4096)], dtype=np.uint8)
        even_zero, odd_zero = (sample[0::2] == 0).mean(), (sample[1::2] == 0).mean()
        codec = "utf-16-le" if odd_zero > 0.3 > even_zero else "utf-16-be" if even_zero > 0.3 > odd_zero else None
        if codec is None:
            raise LoadError("load_not_text", filename=filename)
        return _decoded_as(data, codec, codec, filename)
    name, payload = ("utf-8-sig", data[len(codecs.BOM_UTF8):]) if data.startswith(codecs.BOM_UTF8) else ("utf-8", data)
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if looks_like_text(text):
            return Decoded(text.removeprefix("\ufeff"), name)
        return _decoded_as(payload, "cp1252", "cp1252", filename)
    if _UTF8_BEYOND_ASCII.search(payload.decode("utf-8", errors="surrogateescape")):
        return _decode_lines(payload, f"{name}+cp1252", filename, deadline)
    return _decoded_as(payload, "cp1252", "cp1252", filename)


def _decoded_as(payload: bytes, codec: str, name: str, filename: str) -> Decoded:
    """``payload`` decoded strictly with ``codec``; LoadError ``load_not_text`` if it fails or is not text."""
    try:
        text = payload.decode(codec)
    except UnicodeDecodeError as error:
        raise LoadError("load_not_text", filename=filename) from error
    if not looks_like_text(text):
        raise LoadError("load_not_text", filename=filename)
    return Decoded(text.removeprefix("\ufeff"), name)


def _decode_lines(payload: bytes, name: str, filename: str, deadline: float | None) -> Decoded:
    """A file mixing UTF-8 and cp1252, decoded line by line: each chunk of about a megabyte (cut after a line end;
    no UTF-8 character contains a newline byte) as UTF-8 where it is valid, otherwise each of its lines as UTF-8 or,
    failing that, as cp1252. A line that is neither raises ``load_mixed_encoding``."""
    pieces: list[str] = []
    recoded: list[int] = []
    first_line, position = 1, 0
    while position < len(payload):
        end = payload.find(b"\n", min(position + _DECODE_CHUNK_BYTES, len(payload)))
        end = len(payload) if end < 0 else end + 1
        chunk = payload[position:end]
        try:
            pieces.append(chunk.decode("utf-8"))
        except UnicodeDecodeError:
            lines = []
            for number, line in enumerate(chunk.split(b"\n"), start=first_line):
                try:
                    lines.append(line.decode("utf-8"))
                except UnicodeDecodeError:
                    try:
                        lines.append(line.decode("cp1252"))
                    except UnicodeDecodeError:
                        raise LoadError("load_mixed_encoding", filename=filename, line=number) from None
                    recoded.append(number)
            pieces.append("\n".join(lines))
        first_line += chunk.count(b"\n")
        position = end
        check_deadline(deadline, filename)
    text = "".join(pieces)
    if not looks_like_text(text):
        raise LoadError("load_not_text", filename=filename)
    return Decoded(text.removeprefix("\ufeff"), name, len(recoded), tuple(recoded[:5]))


#: Stand-ins for a carriage return inside a line while DuckDB reads it (its CSV parser takes any CR for a line end
#: or refuses the file): Unicode noncharacters, the first that the text does not contain.
_CR_STAND_INS = ("\uffff", "\ufffe", "\U0010ffff")


def normalize_lines(text: str, filename: str = "") -> tuple[str, str | None]:
    """Unix newlines, lines of only spaces or tabs made empty (the CSV reader skips empty lines), and the stand-in
    used for carriage returns inside lines (None when there are none).

    CR LF (and CR CR LF) end a line. A file that ends its lines with a bare CR (more CRs than LFs: old Mac exports)
    has them read as newlines. In a file whose lines end with LF, a CR inside a line belongs to its value: it is
    kept as written (replaced by a stand-in while DuckDB reads, and put back), so it never splits a row in two; a
    line where it makes the field count wrong is rejected with its reason.
    """
    stand_in = None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r\n" in text:  # CR CR LF
            text = re.sub(r"\r+\n", "\n", text)
    if "\r" in text:
        if text.count("\r") > text.count("\n"):
            text = text.replace("\r", "\n")
        else:
            stand_in = next((candidate for candidate in _CR_STAND_INS if candidate not in text), None)
            if stand_in is None:
                raise LoadError("load_not_text", filename=filename)
            text = text.replace("\r", stand_in)
    if " \n" in text or "\t\n" in text or text.endswith((" ", "\t")):  # else no line of only spaces (a quick test)
        text = re.sub(r"(?m)^[ \t]+$", "", text)
    return text, stand_in
