#!/usr/bin/env python3
"""Make a large capture by repeating a shared capture, for benchmarks (never commit the output).

    scripts/make-large-capture.py [--source FILE] [--copies N | --target-mb MB] [--same-ids] OUT

The source's format is taken from its name: `*.stream.msgpack` / `*.msgpack` (DataDog v0.4),
`*.otlp.jsonl` (OTLP JSON lines) or `*.otlp.pbstream` (OTLP protobuf, each message preceded by its
length as a 4-byte big-endian integer). The default source is the dd-trace-js v0.4 stream from the
shared captures (`../shared/captures/` beside the repository, else `/work/shared/captures/`), and the
default size is 60 copies. When the source has a `.headers.json` sidecar, OUT gets one too, with every
payload's index and byte offset shifted so each copy's payloads keep their own request headers.

Ids: copy 0 is the source byte for byte (so `--copies 1` reproduces it exactly). In copy k >= 1 every
trace id, span id and parent span id (and OTLP link ids) has its low 64 bits XOR-ed with a fixed
64-bit mask derived from k (splitmix64), so each copy's traces are distinct from every other copy's,
as in real traffic: a replay, a trace-id cache or a tail sampler then sees 60x the traces of 1x, not
the same traces 60 times over. The mapping is a bijection applied to ids and references alike, so
parent/child and link structure is kept; zero and absent ids stay zero/absent; every id keeps its
encoded width (DataDog ids are always written as msgpack uint64, protobuf ids are fixed-length
bytes, JSON ids are fixed-length hex), so payload lengths, and therefore offsets, do not change.
`--same-ids` repeats the bytes unchanged instead. Output is deterministic: same input and flags,
same bytes.

Standard library only.
"""

import argparse
import json
import re
import struct
import sys
from pathlib import Path

MASK64 = (1 << 64) - 1


def splitmix64(k):
    """The k-th output of splitmix64 seeded with 0: a well-mixed, fixed 64-bit mask per copy."""
    z = (k * 0x9E3779B97F4A7C15) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


# ------------------------------------------------------------------ DataDog v0.4 (msgpack)

DD_ID_KEYS = (b"trace_id", b"span_id", b"parent_id")


class MsgpackIds:
    """Positions of the 8 id bytes of every non-zero `trace_id`/`span_id`/`parent_id` map value."""

    def __init__(self, data):
        self.data = data
        self.positions = []

    def scan(self):
        pos = 0
        while pos < len(self.data):
            pos = self.value(pos)
        return self.positions

    def length(self, pos, width):
        return int.from_bytes(self.data[pos : pos + width], "big")

    def value(self, pos):
        """Skip one value starting at `pos`; return the position after it."""
        d = self.data
        m = d[pos]
        if m <= 0x7F or m >= 0xE0 or m in (0xC0, 0xC2, 0xC3):
            return pos + 1
        if 0x80 <= m <= 0x8F:
            return self.map(pos + 1, m & 0x0F)
        if m in (0xDE, 0xDF):
            w = 2 if m == 0xDE else 4
            return self.map(pos + 1 + w, self.length(pos + 1, w))
        if 0x90 <= m <= 0x9F or m in (0xDC, 0xDD):
            if m <= 0x9F:
                n, pos = m & 0x0F, pos + 1
            else:
                w = 2 if m == 0xDC else 4
                n, pos = self.length(pos + 1, w), pos + 1 + w
            for _ in range(n):
                pos = self.value(pos)
            return pos
        if 0xA0 <= m <= 0xBF:
            return pos + 1 + (m & 0x1F)
        widths = {0xD9: 1, 0xDA: 2, 0xDB: 4, 0xC4: 1, 0xC5: 2, 0xC6: 4}
        if m in widths:
            w = widths[m]
            return pos + 1 + w + self.length(pos + 1, w)
        fixed = {0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8, 0xD0: 1, 0xD1: 2, 0xD2: 4, 0xD3: 8, 0xCA: 4, 0xCB: 8}
        if m in fixed:
            return pos + 1 + fixed[m]
        ext = {0xD4: 1, 0xD5: 2, 0xD6: 4, 0xD7: 8, 0xD8: 16}
        if m in ext:
            return pos + 2 + ext[m]
        if m in (0xC7, 0xC8, 0xC9):
            w = {0xC7: 1, 0xC8: 2, 0xC9: 4}[m]
            return pos + 2 + w + self.length(pos + 1, w)
        raise ValueError(f"byte {pos}: msgpack marker 0x{m:02x} is not valid")

    def map(self, pos, n):
        for _ in range(n):
            key_start = pos
            pos = self.value(pos)
            key = self.key(key_start, pos)
            if key in DD_ID_KEYS:
                self.id_value(pos, key)
            pos = self.value(pos)
        return pos

    def key(self, start, end):
        m = self.data[start]
        return bytes(self.data[start + 1 : end]) if 0xA0 <= m <= 0xBF else None

    def id_value(self, pos, key):
        m = self.data[pos]
        widths = {0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8, 0xD0: 1, 0xD1: 2, 0xD2: 4, 0xD3: 8}
        value = m if m <= 0x7F else self.length(pos + 1, widths[m]) if m in widths else None
        if m == 0xCF and value:
            self.positions.append(pos + 1)
        elif value:
            # A non-zero id written narrower than uint64 could not be changed in place.
            raise ValueError(f"byte {pos}: `{key.decode()}` is not a msgpack uint64; use --same-ids")


def dd_copy(source, positions, k):
    out = bytearray(source)
    if k:
        mask = splitmix64(k)
        for p in positions:
            v = int.from_bytes(out[p : p + 8], "big") ^ mask
            out[p : p + 8] = v.to_bytes(8, "big")
    return out


# ------------------------------------------------------------------ OTLP protobuf stream

# (message, field number) -> nested message; ids are collected from Span (1, 2, 4) and Link (1, 2).
PB_NESTED = {
    ("request", 1): "resource_spans",
    ("resource_spans", 2): "scope_spans",
    ("scope_spans", 2): "span",
    ("span", 13): "link",
}
PB_IDS = {("span", 1), ("span", 2), ("span", 4), ("link", 1), ("link", 2)}


def varint(data, pos):
    shift = value = 0
    while True:
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, pos
        shift += 7


def pb_message(data, pos, end, kind, positions):
    """Record (offset, length) of every non-empty id field inside one message."""
    while pos < end:
        tag, pos = varint(data, pos)
        field, wire = tag >> 3, tag & 7
        if wire == 0:
            _, pos = varint(data, pos)
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        elif wire == 2:
            n, pos = varint(data, pos)
            nested = PB_NESTED.get((kind, field))
            if nested:
                pb_message(data, pos, pos + n, nested, positions)
            elif (kind, field) in PB_IDS and n in (8, 16) and any(data[pos : pos + n]):
                positions.append((pos, n))
            pos += n
        else:
            raise ValueError(f"byte {pos}: protobuf wire type {wire} is not supported")
    if pos != end:
        raise ValueError(f"byte {pos}: protobuf message overruns its length")


def pb_scan(data):
    positions, pos = [], 0
    while pos < len(data):
        (n,) = struct.unpack_from(">I", data, pos)
        pb_message(data, pos + 4, pos + 4 + n, "request", positions)
        pos += 4 + n
    return positions


def xor_low64(raw, mask):
    """XOR the low (last) 64 bits of a big-endian 8- or 16-byte id."""
    head, low = raw[:-8], int.from_bytes(raw[-8:], "big") ^ mask
    return bytes(head) + low.to_bytes(8, "big")


def pb_copy(source, positions, k):
    out = bytearray(source)
    if k:
        mask = splitmix64(k)
        for p, n in positions:
            out[p : p + n] = xor_low64(out[p : p + n], mask)
    return out


# ------------------------------------------------------------------ OTLP JSON lines

# Ids are lowercase hex in the OTLP JSON mapping; a key can only be followed by `":` this way outside
# string values (inside one, the quotes would be escaped).
JSON_ID = re.compile(rb'"(?:traceId|spanId|parentSpanId)":"([0-9a-fA-F]{16}|[0-9a-fA-F]{32})"')


def json_scan(data):
    return [(m.start(1), m.end(1) - m.start(1)) for m in JSON_ID.finditer(data) if int(m.group(1), 16)]


def json_copy(source, positions, k):
    out = bytearray(source)
    if k:
        mask = splitmix64(k)
        for p, n in positions:
            raw = bytes.fromhex(out[p : p + n].decode())
            out[p : p + n] = xor_low64(raw, mask).hex().encode()
    return out


# ------------------------------------------------------------------ driver

FORMATS = {
    "datadog-v04": (lambda d: MsgpackIds(d).scan(), dd_copy),
    "otlp-pbstream": (pb_scan, pb_copy),
    "otlp-jsonl": (json_scan, json_copy),
}


def format_of(path):
    name = path.name
    if name.endswith(".otlp.jsonl"):
        return "otlp-jsonl"
    if name.endswith(".otlp.pbstream"):
        return "otlp-pbstream"
    if name.endswith(".msgpack") and "v05" not in name:
        return "datadog-v04"
    sys.exit(f"{path}: cannot tell the format (expected *.msgpack v0.4, *.otlp.jsonl or *.otlp.pbstream)")


def default_source():
    repo = Path(__file__).resolve().parent.parent
    for captures in (repo.parent / "shared" / "captures", Path("/work/shared/captures")):
        candidate = captures / "orders-ddtrace-js-v04.stream.msgpack"
        if candidate.exists():
            return candidate
    sys.exit("no shared captures found: pass --source FILE")


def write_sidecar(source, out, copies, size):
    sidecar = Path(str(source) + ".headers.json")
    if not sidecar.exists():
        return
    text = sidecar.read_text()
    meta = json.loads(text)
    payloads = meta["payloads"]
    shifted = []
    for k in range(copies):
        for p in payloads:
            q = dict(p)
            q["index"] = k * len(payloads) + p["index"]
            q["offset"] = k * size + p["offset"]
            shifted.append(q)
    meta["file"] = out.name
    meta["payloads"] = shifted
    tail = "\n" if text.endswith("\n") else ""
    Path(str(out) + ".headers.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + tail)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="where to write the large capture (and its sidecar)")
    ap.add_argument("--source", type=Path, help="a shared capture (default: dd-trace-js v0.4 stream)")
    size = ap.add_mutually_exclusive_group()
    size.add_argument("--copies", type=int, help="how many copies (default 60)")
    size.add_argument("--target-mb", type=float, help="copies to reach about this many MB (10^6 bytes)")
    ap.add_argument("--same-ids", action="store_true", help="repeat the bytes without varying ids")
    args = ap.parse_args()

    source = args.source or default_source()
    data = source.read_bytes()
    if args.target_mb is not None:
        copies = max(1, round(args.target_mb * 1e6 / len(data)))
    else:
        copies = args.copies or 60
    scan, copy = FORMATS[format_of(source)]
    positions = [] if args.same_ids else scan(data)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "wb") as f:
        for k in range(copies):
            f.write(copy(data, positions, k))
    write_sidecar(source, args.out, copies, len(data))
    print(f"{args.out}: {copies} x {source.name} = {copies * len(data)} bytes, {len(positions)} ids varied per copy")


if __name__ == "__main__":
    main()
