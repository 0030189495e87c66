"""Strip the layer's compiled extensions, keeping only what cannot change how they load.

Wheels ship their C and Rust extensions with debug information and symbol tables that
Lambda never reads (aiohttp's, yaml's, regex's, tokenizers': 20 MB of the layer).
``STRIP --strip-unneeded`` removes them and keeps every symbol dynamic linking needs
(.dynsym), as Debian strips its shared libraries. But strip rewrites the file, and for
libraries patchelf edited (auditwheel's repair: numpy's extensions and its vendored
numpy.libs/*) it moves the segments, which then fail to load ("ELF load command
address/offset not page-aligned"). So each file is stripped into a copy and kept only
when every segment the loader maps (each program header's file bytes, and the program
header table itself) is byte-for-byte the original: what the loader reads is then
unchanged, which holds for any CPU's ELF without running it. Otherwise the original stays.

Standard library only (the layer build runs it with the Lambda runtime's interpreter).

    python3 strip_extensions.py STRIP DIR
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path


def loaded_bytes(data: bytes) -> list[bytes] | None:
    """The program header table and each segment's file bytes; None if not ELF64."""
    if data[:4] != b"\x7fELF" or data[4] != 2:  # ELFCLASS64 (Lambda's CPUs are 64-bit)
        return None
    # The section header fields of the ELF header (e_shoff at 0x28, e_shentsize, e_shnum,
    # e_shstrndx at 0x3A-0x40) are what strip changes there and the loader never reads;
    # the first segment usually maps the ELF header, so they are masked everywhere.
    data = data[:0x28] + bytes(8) + data[0x30:0x3A] + bytes(6) + data[0x40:]
    order = "<" if data[5] == 1 else ">"
    phoff, = struct.unpack_from(order + "Q", data, 0x20)
    phentsize, phnum = struct.unpack_from(order + "HH", data, 0x36)
    table = data[phoff:phoff + phentsize * phnum]
    parts = [data[:0x40], table]
    for index in range(phnum):
        offset, _vaddr, _paddr, filesz = struct.unpack_from(
            order + "QQQQ", table, index * phentsize + 8)
        parts.append(data[offset:offset + filesz])
    return parts


def strip_file(strip: str, path: Path, scratch: Path) -> int:
    """Bytes saved (0 when the file is kept as it was)."""
    original = path.read_bytes()
    before = loaded_bytes(original)
    if before is None:
        return 0
    copy = scratch / "candidate"
    shutil.copyfile(path, copy)
    subprocess.run([strip, "--strip-unneeded", str(copy)], check=True)
    stripped = copy.read_bytes()
    if len(stripped) >= len(original) or loaded_bytes(stripped) != before:
        return 0
    shutil.copymode(path, copy)
    copy.replace(path)
    return len(original) - len(stripped)


def main() -> None:
    strip, root = sys.argv[1], Path(sys.argv[2])
    saved = kept = stripped = 0
    with tempfile.TemporaryDirectory() as scratch:
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.is_symlink() or not (
                    path.name.endswith(".so") or ".so." in path.name):
                continue
            gained = strip_file(strip, path, Path(scratch))
            saved += gained
            stripped += bool(gained)
            kept += not gained
    print(f"stripped {stripped} extensions ({saved:,} bytes); {kept} kept as they were "
          f"(nothing to strip, or strip would move what the loader maps)")


if __name__ == "__main__":
    main()
