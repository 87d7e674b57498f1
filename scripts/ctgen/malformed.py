"""Fixtures/malformed: broken inputs built from valid records, each with where the fault is."""

import os
import zlib

from .basics import A1, at, delivery, gz, rng_for
from .demo import DAYS
from .layout import write
from .noise import stream_for


def good_records(tag, n):
    st = stream_for(A1, "us-east-1", quiet=True)
    return st.render(rng_for("fixtures", "malformed", tag), at(DAYS[0], "12:00:00"), 300, n)


def inflate_prefix(comp: bytes):
    """Feed a gzip stream byte by byte; return (output, error text or None)."""
    d = zlib.decompressobj(31)
    out = bytearray()
    for i in range(len(comp)):
        try:
            out += d.decompress(comp[i:i + 1])
        except zlib.error as e:
            return bytes(out), str(e), i
        if d.eof:
            break
    return bytes(out), None, None


def complete_before(recs: list[str], upto: int) -> int:
    """How many records lie completely inside the first `upto` bytes of '{"Records":[' + ','.join(recs)."""
    pos, n = len('{"Records":['), 0
    for i, s in enumerate(recs):
        end = pos + len(s.encode())
        if end > upto:
            break
        n += 1
        pos = end + 1
    return n


def write_malformed(root):
    rows = []

    def row(name, wrong, before, offset):
        rows.append(f"| `{name}` | {wrong} | {before} | {offset} |")

    # truncated
    recs = good_records("truncated", 10)
    plain = delivery(recs)
    comp = gz(plain)
    cut = comp[: int(len(comp) * 0.6)]
    write(os.path.join(root, "truncated.json.gz"), cut)
    out, err, _ = inflate_prefix(cut)
    row("truncated.json.gz", f"valid 10-record delivery ({len(comp)} compressed bytes) cut after {len(cut)} bytes "
        f"(60 %); the stream just ends (no error from inflate, no trailer)", complete_before(recs, len(out)),
        f"{len(out)} (end of the inflatable data; full text is {len(plain)} bytes)")

    # corrupt deflate data
    recs = good_records("corrupt", 10)
    plain = delivery(recs)
    comp = gz(plain)
    chosen = None
    for pos in range(len(comp) // 2, len(comp) - 16):
        bad = bytearray(comp)
        bad[pos:pos + 4] = b"\xff\xff\xff\xff"
        out, err, at_byte = inflate_prefix(bytes(bad))
        if err and "invalid" in err:
            chosen = (pos, bytes(bad), out, err, at_byte)
            break
    pos, bad, out, err, at_byte = chosen
    write(os.path.join(root, "corrupt.json.gz"), bad)
    first_diff = next((i for i, (a, b) in enumerate(zip(out, plain)) if a != b), len(out))
    row("corrupt.json.gz", f"valid 10-record gzip with compressed bytes {pos}..{pos + 3} overwritten with 0xFF; "
        f"zlib reports `{err}` at compressed byte {at_byte}", complete_before(recs, first_diff),
        f"{first_diff} (first uncompressed byte that differs from the original; {len(out)} bytes come out "
        "before the error)")

    # bad CRC
    recs = good_records("badcrc", 10)
    plain = delivery(recs)
    comp = bytearray(gz(plain))
    comp[-8] ^= 0xFF
    write(os.path.join(root, "bad-crc.json.gz"), bytes(comp))
    row("bad-crc.json.gz", "valid deflate data, but the CRC32 in the gzip trailer is wrong (first byte flipped): "
        "the error appears only at the end of the member", 10, f"{len(plain)} (end of stream)")

    # invalid JSON in the 4th record
    recs = good_records("invalid", 6)
    assert '"readOnly":true,' in recs[3] or '"readOnly":false,' in recs[3]
    recs[3] = recs[3].replace('"readOnly":true,', '"readOnly":tru,').replace('"readOnly":false,', '"readOnly":tru,')
    plain = delivery(recs)
    off = plain.index(b'"readOnly":tru,') + len('"readOnly":')
    write(os.path.join(root, "invalid-json.json"), plain)
    write(os.path.join(root, "invalid-json.json.gz"), gz(plain))
    row("invalid-json.json", "plain delivery JSON, 6 records; the 4th has `\"readOnly\":tru,`", 3, off)
    row("invalid-json.json.gz", "the same bytes, gzipped", 3, off)

    # not CloudTrail
    write(os.path.join(root, "not-cloudtrail.json"), b'{"hello":"world","items":[1,2,3]}')
    row("not-cloudtrail.json", "valid JSON, not CloudTrail: `{\"hello\":\"world\",\"items\":[1,2,3]}`", 0, "n/a")

    # Records holding non-events
    recs = good_records("notevents", 2)
    txt = ('{"Records":[' + recs[0] + ',42,{"foo":"bar"},' + recs[1] + "]}").encode()
    write(os.path.join(root, "records-not-events.json"), txt)
    o42 = len('{"Records":[' + recs[0] + ",")
    row("records-not-events.json", "`Records` holds a good event, `42`, `{\"foo\":\"bar\"}`, a good event: "
        "2 good records in all, the 2 bad elements must be counted and skipped", 1,
        f"{o42} (`42`), {o42 + 3} (`{{\"foo\":\"bar\"}}`)")

    # empties
    write(os.path.join(root, "empty.json.gz"), b"")
    row("empty.json.gz", "zero bytes", 0, "0")
    write(os.path.join(root, "empty-member.json.gz"), gz(b""))
    row("empty-member.json.gz", "a valid gzip member whose payload is empty", 0, "0")
    write(os.path.join(root, "whitespace.json"), b"  \n\n\t \r\n   \n")
    row("whitespace.json", "only whitespace and newlines", 0, "n/a (no value at all)")

    # decompression bomb
    rec = good_records("bomb", 1)[0]
    c = zlib.compressobj(6, zlib.DEFLATED, 31)
    head = ('{"Records":[' + rec + ",").encode()
    parts = [c.compress(head)]
    block = b" " * (1 << 20)
    for _ in range(64):
        parts.append(c.compress(block))
    parts.append(c.compress(b"]}"))
    parts.append(c.flush())
    bomb = b"".join(parts)
    write(os.path.join(root, "bomb.json.gz"), bomb)
    total = len(head) + (64 << 20) + 2
    row("bomb.json.gz", f"{len(bomb)} bytes of gzip inflating to {total} bytes: `{{\"Records\":[` + one good record "
        "+ `,` + 64 MiB of spaces + `]}`. A reader should stop at its inflate cap. (Past the spaces the text "
        "has a trailing comma before `]`, so a reader with no cap reaches a syntax error there.)", 1,
        f"{len(head)} (start of the spaces); `]` at {total - 2}")

    # trailing garbage
    recs = good_records("trailing", 5)
    plain = delivery(recs)
    member = gz(plain)
    junk = bytes(rng_for("fixtures", "junk").getrandbits(8) for _ in range(20))
    junk = b"JUNK" + junk[4:] if junk[:2] == b"\x1f\x8b" else junk
    write(os.path.join(root, "trailing-garbage.json.gz"), member + junk)
    row("trailing-garbage.json.gz", f"a valid 5-record gzip member ({len(member)} bytes) followed by 20 bytes of "
        "non-gzip junk", 5, f"{len(plain)} (end of the member's output; junk starts at compressed byte {len(member)})")

    # unterminated
    recs = good_records("unterminated", 3)
    full = '{"Records":[' + ",".join(recs) + "]}"
    cut_at = len('{"Records":[' + recs[0] + "," + recs[1] + ",") + len(recs[2]) // 2
    write(os.path.join(root, "unterminated.json"), full[:cut_at].encode())
    row("unterminated.json", "delivery JSON whose text ends in the middle of the 3rd record", 2,
        f"{cut_at} (end of file)")

    # deep nesting
    rec = good_records("deep", 1)[0]
    prefix = '{"Records":[' + rec + ',{"eventVersion":"1.11","requestParameters":'
    write(os.path.join(root, "deep.json"), (prefix + "[" * 100000).encode())
    row("deep.json", "one good record, then a record whose `requestParameters` opens 100000 nested `[` "
        "(never closed; nesting depth reaches 100003 counting the object, `Records` and the record)", 1,
        f"{len(prefix)} (first of the `[`; a depth limit of D trips near {len(prefix)} + D - 4; the file ends at "
        f"{len(prefix) + 100000})")

    # binary
    rb = rng_for("fixtures", "binary")
    data = bytes(rb.getrandbits(8) for _ in range(4096))
    write(os.path.join(root, "binary.json"), data)
    row("binary.json", f"4096 random bytes (seeded; first bytes `{data[:4].hex()}`)", 0, "0")

    write(os.path.join(root, "README.md"), "\n".join([
        "# Malformed inputs",
        "",
        "Generated by `scripts/ctgen.py fixtures Fixtures`. Each file is built from valid records. "
        "\"Complete records before the fault\" are the records a reader must still deliver; offsets are "
        "0-based byte offsets in the *uncompressed* stream.",
        "",
        "| file | what is wrong | complete records before the fault | fault offset (uncompressed) |",
        "|---|---|---|---|",
        *rows,
        "",
    ]).encode())
