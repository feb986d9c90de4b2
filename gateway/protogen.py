"""Generate the Python stubs of proto/crm/v1 into gateway/generated (grpcio-tools).

``python -m gateway.protogen`` writes them; ``--check`` regenerates into a temporary folder and
fails when the committed stubs differ (stale or hand-edited).
"""

from __future__ import annotations

import filecmp
import shutil
import sys
import tempfile
from importlib import resources
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "proto"
OUT_DIR = ROOT / "gateway" / "generated"


def generate(out_dir: Path) -> None:
    protos = sorted(str(p.relative_to(PROTO_DIR)) for p in PROTO_DIR.rglob("*.proto"))
    well_known = str(resources.files("grpc_tools") / "_proto")
    out_dir.mkdir(parents=True, exist_ok=True)
    args = [
        "grpc_tools.protoc",
        f"-I{PROTO_DIR}",
        f"-I{well_known}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        *protos,
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    for folder in [out_dir / "crm", *(p for p in (out_dir / "crm").rglob("*") if p.is_dir())]:
        (folder / "__init__.py").touch()


def _differences(expected: Path, actual: Path) -> list[str]:
    found = []
    names = {p.relative_to(expected) for p in expected.rglob("*") if p.is_file()}
    names |= {p.relative_to(actual) for p in actual.rglob("*") if p.is_file() and p.suffix in (".py", ".pyi")}
    for name in sorted(names):
        if name.name == "__init__.py" and name.parent == Path("."):
            continue
        if "__pycache__" in name.parts:
            continue
        a, b = expected / name, actual / name
        if not a.exists() or not b.exists() or not filecmp.cmp(a, b, shallow=False):
            found.append(str(name))
    return found


def main(argv: list[str]) -> int:
    if "--check" in argv:
        with tempfile.TemporaryDirectory() as tmp:
            generate(Path(tmp))
            stale = _differences(Path(tmp), OUT_DIR)
        if stale:
            print("generated stubs are stale; run `python -m gateway.protogen`: " + ", ".join(stale), file=sys.stderr)
            return 1
        print("generated stubs are up to date")
        return 0
    target = OUT_DIR / "crm"
    if target.exists():
        shutil.rmtree(target)
    generate(OUT_DIR)
    print(f"generated stubs in {OUT_DIR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
