"""layers/core/strip_extensions.py keeps a stripped extension only when what the loader
maps is unchanged: checked on this interpreter's own extensions, stripped for real."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

LAYER_DIR = Path(__file__).resolve().parents[2] / "layers" / "core"
STRIP = shutil.which("llvm-strip") or shutil.which("strip")
pytestmark = pytest.mark.skipif(STRIP is None, reason="no strip tool on this machine")


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("strip_extensions",
                                                  LAYER_DIR / "strip_extensions.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


script = _script()


def _extension(tmp_path: Path) -> Path:
    """A copy of PyYAML's C extension (built with debug information)."""
    found = sorted(Path(yaml.__file__).parent.glob("_yaml*.so"))
    if not found:
        pytest.skip("PyYAML without its C extension")
    return Path(shutil.copy(found[0], tmp_path / found[0].name))


def test_a_stripped_extension_keeps_its_loaded_bytes_and_still_imports(tmp_path: Path) -> None:
    ext = _extension(tmp_path)
    before = ext.read_bytes()
    if b".symtab" not in before and b".debug_info" not in before:
        pytest.skip("this PyYAML's extension is stripped already (a stripped layer's)")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    saved = script.strip_file(STRIP, ext, scratch)
    assert saved > 0 and len(ext.read_bytes()) == len(before) - saved
    assert script.loaded_bytes(ext.read_bytes()) == script.loaded_bytes(before)
    code = ("import importlib.util, sys; spec = importlib.util.spec_from_file_location("
            "'yaml._yaml', sys.argv[1]); m = importlib.util.module_from_spec(spec); "
            "spec.loader.exec_module(m); print(m.get_version_string())")
    done = subprocess.run([sys.executable, "-c", code, str(ext)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_a_change_inside_a_segment_is_seen(tmp_path: Path) -> None:
    data = bytearray(_extension(tmp_path).read_bytes())
    parts = script.loaded_bytes(bytes(data))
    assert parts is not None
    data[0x200] ^= 0xFF  # inside the first LOAD segment (it maps the file's start)
    assert script.loaded_bytes(bytes(data)) != parts


def test_non_elf_files_are_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "table.sorted.marshal"
    path.write_bytes(b"not an ELF file")
    assert script.strip_file(STRIP, path, tmp_path) == 0
    assert path.read_bytes() == b"not an ELF file"
