"""The Python code blocks of the README and the docs parse, and every name they
take from rnnsk exists and every keyword they pass to an rnnsk class or
function is one of its parameters: the documentation cannot drift from the
API silently. (Running the blocks trains models for minutes; a session-20
review ran them all by hand, docs/guide fixed accordingly.)"""
import ast
import importlib
import inspect
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def python_blocks():
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 2
            yield pytest.param(match.group(1), id=f"{page.relative_to(ROOT)}:{line}")


def rnnsk_names(tree):
    """{local name: object} of everything the block imports from rnnsk."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "rnnsk":
            module = importlib.import_module(node.module)
            for alias in node.names:
                assert hasattr(module, alias.name), f"{node.module} has no {alias.name}"
                names[alias.asname or alias.name] = getattr(module, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "rnnsk":
                    names[alias.asname or alias.name] = importlib.import_module(alias.name)
    return names


def resolve(node, names):
    """The rnnsk object an expression such as ``rnnsk.datasets.load_x`` names,
    or None when it is not one."""
    if isinstance(node, ast.Name):
        return names.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = resolve(node.value, names)
        if inspect.ismodule(owner) and owner.__name__.startswith("rnnsk"):
            assert hasattr(owner, node.attr), f"{owner.__name__} has no {node.attr}"
            return getattr(owner, node.attr)
    return None


@pytest.mark.parametrize("code", python_blocks())
def test_docs_code_uses_the_api_that_exists(code):
    tree = ast.parse(code)
    names = rnnsk_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            resolve(node, names)
        if not isinstance(node, ast.Call) or not node.keywords:
            continue
        target = resolve(node.func, names)
        if target is None or not callable(target):
            continue
        parameters = inspect.signature(target).parameters
        if any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
            continue
        for keyword in node.keywords:
            assert keyword.arg is None or keyword.arg in parameters, (
                f"{getattr(target, '__name__', target)} has no parameter {keyword.arg!r}")


def test_the_docs_hold_python_blocks():
    assert len(list(python_blocks())) > 20
