#!/usr/bin/env python3
"""gen-scap.py IN.scap OUT.scap MIN_EVENTS: a large capture for the benchmark.

Reads a capture (plain or gzip), keeps its section header and state blocks (machine info,
process, fd, interface and user lists) once, then writes its event blocks again and again,
each round shifted in time past the previous one, until at least MIN_EVENTS event blocks are
written. Blocks are copied whole; only the 8-byte timestamp of each event is rewritten.
"""
import gzip
import struct
import sys

EVENT_BLOCKS = {0x204: 0, 0x8010ABCD: 0, 0x216: 0, 0x221: 0, 0x208: 4, 0x217: 4, 0x222: 4}


def main():
    src, dst, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(src, 'rb') as f:
        data = f.read()
    if data[:2] == b'\x1f\x8b':
        data = gzip.decompress(data)
    head, events = [], []
    off = 0
    while off + 12 <= len(data):
        btype, total = struct.unpack_from('<II', data, off)
        if total < 12 or off + total > len(data):
            break
        blk = data[off:off + total]
        if btype in EVENT_BLOCKS:
            events.append((EVENT_BLOCKS[btype], blk))
        else:
            head.append(blk)
        off += total
    if not events:
        sys.exit('%s: no event blocks' % src)
    ts_of = lambda e: struct.unpack_from('<Q', e[1], 8 + 2 + e[0])[0]
    first, last = ts_of(events[0]), max(ts_of(e) for e in events)
    span = last - first + 1000
    written = 0
    with open(dst, 'wb') as out:
        for blk in head:
            out.write(blk)
        rnd = 0
        while written < want:
            shift = rnd * span
            chunk = []
            for extra, blk in events:
                pos = 8 + 2 + extra
                ts = struct.unpack_from('<Q', blk, pos)[0] + shift
                chunk.append(blk[:pos] + struct.pack('<Q', ts) + blk[pos + 8:])
            out.write(b''.join(chunk))
            written += len(events)
            rnd += 1
    print('%s: %d event blocks (%d rounds of %d)' % (dst, written, rnd, len(events)))


main()
