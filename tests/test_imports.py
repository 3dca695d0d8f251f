"""Every import has one home: third-party ones are declared in the requirements, and a
project module is imported from the module that defines the name (no re-export shims)."""
import ast
import functools
import re
import sys
from importlib.metadata import packages_distributions, requires, version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ("engine", "ui", "pages", "bench")
SOURCES = [ROOT / "app.py", *(p for d in (*PROJECT, "tests") for p in sorted((ROOT / d).rglob("*.py")))]
LOCAL = {*PROJECT, "tests", "app", "conftest", *(p.stem for p in (ROOT / "tests").glob("*.py"))}
OPTIONAL_ERRORS = {"ImportError", "ModuleNotFoundError"}


def imports(tree: ast.AST):
    """(node, optional) for every import; optional: inside a ``try`` that catches ImportError
    (the benchmarks compare with PyTorch only where it is installed)."""
    def walk(node, optional):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Try):
                caught = {ast.unparse(h.type) for h in child.handlers if h.type is not None}
                guarded = optional or bool(caught & OPTIONAL_ERRORS)
                for stmt in child.body:
                    yield from walk_one(stmt, guarded)
                for part in (*child.handlers, *child.orelse, *child.finalbody):
                    yield from walk_one(part, optional)
            else:
                yield from walk_one(child, optional)

    def walk_one(node, optional):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node, optional
        yield from walk(node, optional)

    yield from walk(tree, False)


def declared() -> dict[str, str]:
    """Distribution name (normalised) -> its version range, with what each extra brings."""
    out = {}
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / name).read_text().splitlines():
            line = line.split("#")[0].strip()
            if not line or line.startswith("-"):
                continue
            m = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[([^\]]+)\])?\s*(.*)", line)
            dist, extras, spec = m.group(1), m.group(2), m.group(3)
            out[norm(dist)] = spec
            for extra in (extras or "").split(","):
                for req in requires(dist) or []:
                    if extra and re.search(rf"extra == ['\"]{re.escape(extra.strip())}['\"]", req):
                        sub = re.match(r"([A-Za-z0-9_.-]+)\s*([^;]*)", req)
                        out.setdefault(norm(sub.group(1)), sub.group(2).strip())
    return out


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def release(v: str) -> tuple:
    return tuple(int(x) for x in re.match(r"\d+(?:\.\d+)*", v).group(0).split("."))


def satisfies(installed: str, spec: str) -> bool:
    have = release(installed)
    for clause in filter(None, (c.strip() for c in spec.split(","))):
        op, want = re.fullmatch(r"(>=|<=|==|!=|<|>)\s*(\S+)", clause).groups()
        w = release(want)
        n = max(len(have), len(w))
        a, b = have + (0,) * (n - len(have)), w + (0,) * (n - len(w))
        if not {">=": a >= b, "<=": a <= b, "==": a == b, "!=": a != b, "<": a < b, ">": a > b}[op]:
            return False
    return True


def test_every_third_party_import_is_declared_with_a_range_the_installed_version_meets():
    dists_of = packages_distributions()
    needed = {}
    for path in SOURCES:
        for node, optional in imports(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) \
                else [node.module] if node.level == 0 else []
            for top in {n.split(".")[0] for n in names}:
                if top not in sys.stdlib_module_names and top not in LOCAL and not optional:
                    needed.setdefault(top, path.relative_to(ROOT).as_posix())
    have = declared()
    problems = []
    for top, where in sorted(needed.items()):
        dists = [norm(d) for d in dists_of.get(top, [])]
        ours = [d for d in dists if d in have]
        if not ours:
            problems.append(f"{top} (imported by {where}) is not in requirements.txt or requirements-dev.txt")
        for d in ours:
            if not satisfies(version(d), have[d]):
                problems.append(f"{d} {version(d)} is installed, outside the declared {have[d]!r}")
    assert not problems, "\n".join(problems)


def module_file(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    return base.with_suffix(".py") if base.with_suffix(".py").exists() else None  # a package: its face


def defined(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for t in node.targets if isinstance(node, ast.Assign) else [node.target]:
                names |= {n.id for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


@functools.cache
def defined_in(path: Path) -> frozenset[str]:
    """The names a project module defines, parsed once per module (not once per import)."""
    return frozenset(defined(ast.parse(path.read_text())))


def test_a_name_is_imported_from_the_module_that_defines_it():
    """``from m import name`` and ``m.name`` (m a project module, not a package's face)."""
    problems = []
    for path in SOURCES:
        package = path.relative_to(ROOT).parent.parts
        tree = ast.parse(path.read_text())
        used = []  # (module, name): every name this file takes from a project module
        aliases = {}  # local name -> project module bound to it
        for node, _ in imports(tree):
            if isinstance(node, ast.Import):
                aliases.update({a.asname: a.name for a in node.names if a.asname})
                continue
            if node.level:
                parts = package[:len(package) - node.level + 1]
                module = ".".join((*parts, *(node.module or "").split("."))).strip(".")
            else:
                module = node.module
            for a in node.names:
                if module_file(f"{module}.{a.name}"):  # a module itself, taken from its package
                    aliases[a.asname or a.name] = f"{module}.{a.name}"
                else:
                    used.append((module, a.name))
        used += [(aliases[n.value.id], n.attr) for n in ast.walk(tree) if isinstance(n, ast.Attribute)
                 and isinstance(n.value, ast.Name) and n.value.id in aliases]
        for module, name in sorted(set(used)):
            if module.split(".")[0] in PROJECT and (target := module_file(module)) \
                    and name not in defined_in(target):
                problems.append(f"{path.relative_to(ROOT)} takes {name} from {module}, which only re-exports it")
    assert not problems, "\n".join(problems)
