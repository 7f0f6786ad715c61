"""Generate the Python gRPC stubs from protos/ into wire/.

The stubs are checked in so that installing the project needs no code generator;
tests/test_contract.py regenerates them into a temporary folder and fails when the
checked-in copy is stale. Run: python scripts/generate_protos.py
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"
PACKAGE = "wire"
OUT = ROOT / "wire"


def generate(out_dir: Path) -> list[Path]:
    """Run protoc on every .proto under protos/ and make the imports package-absolute."""
    from grpc_tools import protoc  # dev dependency, only needed to regenerate

    sources = sorted(str(p.relative_to(PROTOS)) for p in PROTOS.rglob("*.proto"))
    include = Path(protoc.__file__).parent / "_proto"
    args = [
        "protoc",
        f"-I{PROTOS}",
        f"-I{include}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        *sources,
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    written = []
    for path in sorted(out_dir.rglob("*.py*")):
        text = path.read_text()
        text = re.sub(r"^from relocation\.v1 import", f"from {PACKAGE}.relocation.v1 import", text,
                      flags=re.M)
        text = re.sub(r"^from relocation\.v1\.", f"from {PACKAGE}.relocation.v1.", text, flags=re.M)
        path.write_text(text)
        written.append(path)
    for folder in (out_dir / "relocation", out_dir / "relocation" / "v1"):
        (folder / "__init__.py").touch()
    return written


def stale_files() -> list[str]:
    """Names of generated files that differ from what the protos produce now."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        generate(fresh)
        names = {p.relative_to(fresh) for p in fresh.rglob("*.py*")}
        names |= {p.relative_to(OUT) for p in (OUT / "relocation").rglob("*.py*")}
        return sorted(
            str(n) for n in names
            if not (fresh / n).exists() or not (OUT / n).exists()
            or (fresh / n).read_text() != (OUT / n).read_text()
        )


if __name__ == "__main__":
    generate(OUT)
    sys.exit(0)
