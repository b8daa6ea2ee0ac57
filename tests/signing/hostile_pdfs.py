"""PDF files crafted to make a signature check expensive, written object by object."""

from __future__ import annotations

import os
import re
import struct
import time
import zlib

from esurety.signing import sandbox


def cms_of(signed: bytes) -> bytes:
    """The hex /Contents (a real CMS signature) of a PDF esurety signed."""
    contents = re.search(rb"/Contents <([0-9a-fA-F]+)>", signed)
    assert contents is not None
    return contents.group(1)


def _classic(objects: dict[int, bytes]) -> bytes:
    out = bytearray(b"%PDF-1.7\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets[number] for number in range(1, size))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def _catalog(fields: range) -> bytes:
    refs = b" ".join(b"%d 0 R" % number for number in fields)
    return b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [" + refs + b"] /SigFlags 3 >> >>"


_PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
_PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >>"


def _signature_value(cms: bytes) -> bytes:
    return (
        b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 10 20 30] /Contents <"
        + cms
        + b"> >>"
    )


def many_signature_fields(cms: bytes, count: int) -> bytes:
    """``count`` filled signature fields sharing one signature value (38,000: about 4 MB).

    pyHanko parses the CMS blob once per field: 38,000 fields cost it 15 s of CPU.
    """
    fields = range(4, 4 + count)
    value = 4 + count
    objects = {1: _catalog(fields), 2: _PAGES, 3: _PAGE, value: _signature_value(cms)}
    for number in fields:
        objects[number] = b"<< /FT /Sig /T (S%d) /V %d 0 R /Rect [0 0 0 0] >>" % (number, value)
    return _classic(objects)


def fields_in_object_streams(cms: bytes, count: int, *, per_stream: int = 1000, direct_n: bool = True) -> bytes:
    """The same fields compressed in object streams, where no "/Sig" shows in the raw bytes."""
    fields = list(range(4, 4 + count))
    value = 4 + count
    out = bytearray(b"%PDF-1.7\n")
    offsets: dict[int, int] = {}
    compressed: dict[int, tuple[int, int]] = {}

    def put(number: int, body: bytes) -> None:
        offsets[number] = len(out)
        out.extend(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    put(1, _catalog(range(4, 4 + count)))
    put(2, _PAGES)
    put(3, _PAGE)
    put(value, _signature_value(cms))
    stream_number = value + 1
    for start in range(0, count, per_stream):
        chunk = fields[start : start + per_stream]
        bodies = [b"<< /FT /Sig /T (S%d) /V %d 0 R >>" % (number, value) for number in chunk]
        header, at = [], 0
        for number, body in zip(chunk, bodies, strict=True):
            header.append(b"%d %d" % (number, at))
            at += len(body) + 1
        head = b" ".join(header) + b"\n"
        stream = zlib.compress(head + b"\n".join(bodies))
        n = b"%d" % len(chunk) if direct_n else b"%d 0 R" % (stream_number + 1)
        offsets[stream_number] = len(out)
        out.extend(
            b"%d 0 obj\n<< /Type /ObjStm /N %s /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
            % (stream_number, n, len(head), len(stream))
            + stream
            + b"\nendstream\nendobj\n"
        )
        for index, number in enumerate(chunk):
            compressed[number] = (stream_number, index)
        stream_number += 1
        if not direct_n:
            put(stream_number, b"%d" % len(chunk))
            stream_number += 1
    xref_number = stream_number
    offsets[xref_number] = len(out)
    size = xref_number + 1
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    for number in range(1, size):
        if number in compressed:
            rows.append(struct.pack(">BIH", 2, *compressed[number]))
        else:
            rows.append(struct.pack(">BIH", 1, offsets[number], 0))
    table = zlib.compress(b"".join(rows))
    out.extend(
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length %d >>\nstream\n"
        % (xref_number, size, len(table))
        + table
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[xref_number]
    )
    return bytes(out)


def huge_array(count: int) -> bytes:
    """Three objects, one of them a catalog holding an array of ``count`` numbers.

    Nothing a structural scan counts, yet parsing 2.4 million numbers (5 MB)
    takes pyHanko about 12 s: only the child's CPU limit stops it.
    """
    return _classic({1: b"<< /Type /Catalog /Pages 2 0 R /X [" + b"0 " * count + b"] >>", 2: _PAGES, 3: _PAGE})


def check_cpu_seconds() -> float:
    """CPU time of this process plus that of every check child reaped so far.

    The children belong to the sandbox's helper, not to this process, so
    RUSAGE_CHILDREN does not see them: /proc/<helper>/stat does (cutime, cstime).
    """
    total = time.process_time()
    process = sandbox._helper.process
    if process is not None and process.poll() is None:
        with open(f"/proc/{process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        # After the name: state is field 3, cutime and cstime fields 16 and 17.
        total += (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
    return total
