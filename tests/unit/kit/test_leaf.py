"""crm_kit is the library every service uses: it must not know any service, the gateway, the
PBX side or the ops package, and its modules must not import each other in a circle."""

from __future__ import annotations

import ast
from pathlib import Path

KIT = Path(__file__).resolve().parents[3] / "crm_kit"
APPLICATION_PACKAGES = {"services", "gateway", "telephony", "crm_ops", "bench", "contracts"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            if node.module == "crm_kit":
                names.update(f"crm_kit.{alias.name}" for alias in node.names)
    return names


def test_crm_kit_imports_no_application_package():
    offenders = {
        f"{path.name}: {name}"
        for path in KIT.glob("*.py")
        for name in _imports(path)
        if name.split(".")[0] in APPLICATION_PACKAGES
    }
    assert not offenders, sorted(offenders)


def test_crm_kit_modules_import_no_cycle():
    modules = {path.stem for path in KIT.glob("*.py") if path.stem != "__init__"}
    graph = {
        module: {name.split(".")[1] for name in _imports(KIT / f"{module}.py") if name.startswith("crm_kit.")} & modules
        for module in modules
    }

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for nxt in graph[start]:
            if nxt == target or (nxt not in seen and reaches(nxt, target, seen | {nxt})):
                return True
        return False

    cycles = sorted(module for module in modules if reaches(module, module, {module}))
    assert not cycles, f"import cycles through: {cycles}"
