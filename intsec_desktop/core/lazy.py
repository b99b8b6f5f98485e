"""Modules loaded on first use: every `intsec` command pays the import of every feature's
dependencies otherwise (YAML, the scanner's process pool, Aho-Corasick, the exporter's and the
importer's own modules) — most of the start-up of a command that uses none of them."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import MutableMapping
from types import ModuleType
from typing import Any


def lazy_module(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module named {name!r}")
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


def lazy_import(namespace: MutableMapping[str, Any], module: str, *names: str) -> None:
    """`from module import names` into `namespace` (a module's `globals()`), done on the first
    use of a name: a call, an attribute, isinstance, iterating or comparing. The real object
    then replaces the stand-in in `namespace`, so later uses cost nothing extra.

    Unlike `lazy_module`, functions and classes can be imported this way, and the import runs
    through the ordinary (thread-safe) import system. Only for modules, functions and classes:
    a constant (a str) cannot be stood in for, and neither can a name that must be real when
    the module loads (base class, decorator, default value) or whose first use is `except`
    or `is`. Pair it with the same import under `if TYPE_CHECKING:`, for mypy and for
    bundlers' import analysis.
    """
    for name in names:
        namespace[name] = _Deferred(namespace, module, name)


class _Deferred:
    """Stands in for one lazily imported name until its first use."""

    __slots__ = ("_module", "_name", "_namespace")

    def __init__(self, namespace: MutableMapping[str, Any], module: str, name: str) -> None:
        self._namespace = namespace
        self._module = module
        self._name = name

    def _resolve(self) -> Any:
        source = importlib.import_module(self._module)
        try:
            value = getattr(source, self._name)
        except AttributeError:  # a submodule not imported yet, as `from package import sub`
            value = importlib.import_module(f"{self._module}.{self._name}")
        if self._namespace.get(self._name) is self:
            self._namespace[self._name] = value
        return value

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._resolve()(*args, **kwargs)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._resolve(), attribute)

    # Uses of a class (an enum) as a value before anything resolved it: isinstance, iterating
    # its members, looking one up, comparing, a dict key, `X | None`.
    def __instancecheck__(self, instance: object) -> bool:
        return isinstance(instance, self._resolve())

    def __subclasscheck__(self, subclass: type) -> bool:
        return issubclass(subclass, self._resolve())

    def __iter__(self) -> Any:
        return iter(self._resolve())

    def __len__(self) -> int:
        return len(self._resolve())

    def __contains__(self, item: object) -> bool:
        return item in self._resolve()

    def __getitem__(self, key: Any) -> Any:
        return self._resolve()[key]

    def __eq__(self, other: object) -> bool:
        return bool(self._resolve() == other)

    def __hash__(self) -> int:
        return hash(self._resolve())

    def __or__(self, other: Any) -> Any:
        return self._resolve() | other

    def __ror__(self, other: Any) -> Any:
        return other | self._resolve()

    def __repr__(self) -> str:
        return f"<not yet imported: from {self._module} import {self._name}>"
