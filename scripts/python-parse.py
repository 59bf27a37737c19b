#!/usr/bin/env python3
"""Python's C parsers merely parsing a capture, the comparison rows of `scripts/compare.sh`.

    python-parse.py msgpack FILE    msgpack.Unpacker over the file (C extension), strings decoded
    python-parse.py json FILE       json.loads per line (C scanner)
    python-parse.py protobuf FILE   ExportTraceServiceRequest.ParseFromString per length-prefixed
                                    message (upb backend, which checks UTF-8 of string fields)

Each reads the file incrementally, parses every unit, keeps nothing, and prints the unit count.
Needs the `msgpack`, `protobuf` and `opentelemetry-proto` packages (compare.sh makes a venv).
"""

import json
import sys


def msgpack_units(path):
    import msgpack

    with open(path, "rb") as f:
        # raw=False decodes every string as UTF-8, as the Rust floor checks it.
        return sum(1 for _ in msgpack.Unpacker(f, raw=False))


def json_units(path):
    n = 0
    with open(path, "rb") as f:
        for line in f:
            if line.strip():
                json.loads(line)
                n += 1
    return n


def protobuf_units(path):
    from google.protobuf.internal import api_implementation
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    if api_implementation.Type() != "upb":
        sys.exit(f"protobuf backend is {api_implementation.Type()}, not upb")
    n = 0
    with open(path, "rb") as f:
        while head := f.read(4):
            ExportTraceServiceRequest().ParseFromString(f.read(int.from_bytes(head, "big")))
            n += 1
    return n


PARSERS = {"msgpack": msgpack_units, "json": json_units, "protobuf": protobuf_units}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in PARSERS:
        sys.exit(__doc__)
    print(f"{sys.argv[1]} {sys.argv[2]}: {PARSERS[sys.argv[1]](sys.argv[2])} units")
