"""Size of built Lambda artefacts: the core layer, a function's package.

For each directory: files, bytes unzipped, bytes zipped (deflate at zlib's default level,
as `sam deploy` zips), and the Python files of our own packages (llm_router,
llm_router_local: count and lines). `--json FILE` also writes the figures.

    .venv/bin/python bench/layer_size.py .aws-sam/build/CoreLayer /tmp/layer-before
"""

from __future__ import annotations

import argparse
import io
import json
import os
import zipfile
from pathlib import Path

OURS = ("llm_router", "llm_router_local")


def measure(root: Path) -> dict[str, object]:
    files = sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.relative_to(root))
    ours = [p for p in files if p.suffix == ".py"
            and any(part in OURS for part in p.relative_to(root).parts)]
    return {"dir": str(root), "files": len(files),
            "unzipped_bytes": sum(p.stat().st_size for p in files),
            "zipped_bytes": buffer.getbuffer().nbytes,
            "own_py_files": len(ours),
            "own_py_lines": sum(len(p.read_bytes().splitlines()) for p in ours)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="+", type=Path)
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    rows = []
    for root in args.dirs:
        if not root.is_dir():
            parser.error(f"not a directory: {root}")
        row = measure(root)
        rows.append(row)
        print(f"{row['dir']}: {row['files']} files, {row['unzipped_bytes']:,} bytes unzipped, "
              f"{row['zipped_bytes']:,} zipped; own Python {row['own_py_files']} files, "
              f"{row['own_py_lines']:,} lines")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + os.linesep)


if __name__ == "__main__":
    main()
