"""core.lazy: names imported on first use behave like the real objects, and every name the
services defer resolves (a typo would otherwise surface only when that feature first runs)."""

from __future__ import annotations

import enum
import importlib
import pkgutil
import sys
from typing import Any

import pytest

import intsec_desktop.core.services
from intsec_desktop.core import lazy


def _fresh(module: str, *names: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    lazy.lazy_import(namespace, module, *names)
    return namespace


def test_a_name_is_imported_on_first_call_and_then_replaced_by_the_real_object() -> None:
    namespace = _fresh("json", "dumps", "JSONDecodeError")
    deferred = namespace["dumps"]
    assert "not yet imported" in repr(deferred)
    assert deferred([1]) == "[1]"
    assert namespace["dumps"] is sys.modules["json"].dumps
    assert "not yet imported" in repr(namespace["JSONDecodeError"])  # untouched names wait


def test_a_class_works_as_a_value_before_anything_resolved_it() -> None:
    class Color(enum.StrEnum):
        RED = "red"
        BLUE = "blue"

    module = type(sys)("_lazy_probe")
    setattr(module, "Color", Color)  # noqa: B010
    sys.modules["_lazy_probe"] = module
    try:
        assert [c.value for c in _fresh("_lazy_probe", "Color")["Color"]] == ["red", "blue"]
        assert _fresh("_lazy_probe", "Color")["Color"]("red") is Color.RED
        assert _fresh("_lazy_probe", "Color")["Color"].BLUE is Color.BLUE
        assert _fresh("_lazy_probe", "Color")["Color"]["RED"] is Color.RED
        assert isinstance(Color.RED, _fresh("_lazy_probe", "Color")["Color"])
        assert len(_fresh("_lazy_probe", "Color")["Color"]) == 2
        assert Color.BLUE in _fresh("_lazy_probe", "Color")["Color"]
        assert _fresh("_lazy_probe", "Color")["Color"] == Color
        assert {_fresh("_lazy_probe", "Color")["Color"]: 1}[Color] == 1
    finally:
        del sys.modules["_lazy_probe"]


def test_a_submodule_is_imported_like_from_package_import_submodule() -> None:
    namespace = _fresh("email", "quoprimime")
    assert namespace["quoprimime"].header_length(b"a") == 1
    assert namespace["quoprimime"] is sys.modules["email.quoprimime"]


def test_a_missing_name_fails_on_first_use() -> None:
    namespace = _fresh("json", "no_such_name")
    with pytest.raises(ModuleNotFoundError):
        namespace["no_such_name"]()


def _services_modules() -> list[str]:
    package = intsec_desktop.core.services
    return [package.__name__] + [
        f"{package.__name__}.{info.name}" for info in pkgutil.iter_modules(package.__path__)
    ]


@pytest.mark.parametrize("module_name", _services_modules())
def test_every_deferred_name_of_the_services_resolves(module_name: str) -> None:
    module = importlib.import_module(module_name)
    for name, value in list(vars(module).items()):
        if isinstance(value, lazy._Deferred):
            real = value._resolve()
            assert not isinstance(real, lazy._Deferred), name
            assert getattr(module, name) is real
