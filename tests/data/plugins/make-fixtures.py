#!/usr/bin/env python3
"""Regenerates the plugins' own small test files (committed; the tests never
run this). Standard library only (zlib, struct), so the bytes are the same
on every machine. Usage, from anywhere:  python3 tests/data/plugins/make-fixtures.py

  tests/data/plugins/png-bomb.png       valid header claiming 70000x70000 RGB,
                                        then a few bytes of IDAT: a pixel bomb
  tests/data/plugins/png-truncated.png  a 64x48 RGB PNG cut inside its IDAT
  tests/data/plugins/png-crc.png        the same PNG whole, with its IHDR
                                        chunk's CRC wrong
  tests/data/watermark/logo.png         the watermark logo: 64x32 RGBA, an
                                        opaque red bar inside a transparent
                                        frame, with a half-transparent edge
"""
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
WATERMARK = os.path.join(HERE, '..', 'watermark')


def chunk(kind, data):
    body = kind + data
    return struct.pack('>I', len(data)) + body + struct.pack('>I', zlib.crc32(body) & 0xffffffff)


def png(width, height, color_type, rows):
    """rows: one bytes object per row (unfiltered samples)."""
    raw = b''.join(b'\0' + r for r in rows)
    ihdr = struct.pack('>IIBBBBB', width, height, 8, color_type, 0, 0, 0)
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) +
            chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))


def write(path, data):
    with open(path, 'wb') as f:
        f.write(data)


# a pixel bomb: the header is honest PNG, the data is a few rows' worth
ihdr = struct.pack('>IIBBBBB', 70000, 70000, 8, 2, 0, 0, 0)
write(os.path.join(HERE, 'png-bomb.png'),
      b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) +
      chunk(b'IDAT', zlib.compress(b'\0' * 4096)) + chunk(b'IEND', b''))

# a gradient, whole but for the cut (truncated) or a wrong CRC
rows = [b''.join(bytes((x * 4 % 256, y * 5 % 256, (x + y) * 2 % 256)) for x in range(64))
        for y in range(48)]
good = png(64, 48, 2, rows)
idat = good.index(b'IDAT')
write(os.path.join(HERE, 'png-truncated.png'), good[:idat + 4 + (len(good) - idat) // 2])
bad = bytearray(good)
bad[8 + 8 + 13] ^= 0x55   # signature, IHDR length and type, 13 data bytes: the CRC
write(os.path.join(HERE, 'png-crc.png'), bytes(bad))

# the logo: transparent 4-px frame, half-transparent 2-px edge, red inside
logo = []
for y in range(32):
    row = bytearray()
    for x in range(64):
        d = min(x, y, 63 - x, 31 - y)
        alpha = 0 if d < 4 else 128 if d < 6 else 255
        row += bytes((220, 20, 20, alpha))
    logo.append(bytes(row))
os.makedirs(WATERMARK, exist_ok=True)
write(os.path.join(WATERMARK, 'logo.png'), png(64, 32, 6, logo))
