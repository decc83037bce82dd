"""Every option of every config group composes, and carries its own content into the config.

The options are read from conf/ itself (recursively: hydra/launcher too), so an option added
later is tested without touching this file.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from hydra import compose, initialize_config_dir
from hydra.errors import MissingConfigException
from omegaconf import OmegaConf

from conftest import CONF
from qwpinn.pipeline.config import register_schemas


def group_options() -> list[tuple[str, str]]:
    """(group, option) for every YAML under conf/<group>/ (group may be nested: hydra/launcher)."""
    return sorted(
        (path.parent.relative_to(CONF).as_posix(), path.stem)
        for path in CONF.rglob("*.yaml")
        if path.parent != CONF
    )


OPTIONS = group_options()
PRIMARY = {  # groups of the primary defaults list; the others are chosen inside an option
    next(iter(entry)).split("@")[0]
    for entry in OmegaConf.to_container(OmegaConf.load(CONF / "config.yaml").defaults)
    if isinstance(entry, dict)
} | {"hydra/launcher"}


def nested_choice(group: str, option: str) -> tuple[list[str], str]:
    """Overrides that choose ``option`` of a group some option's defaults list holds
    (``- /materials@materials: harrison`` in potential/heterostructure), and its package."""
    for path in sorted(CONF.rglob("*.yaml")):
        for entry in OmegaConf.load(path).get("defaults") or []:
            key = next(iter(entry)) if OmegaConf.is_dict(entry) else ""
            if key.startswith(f"/{group}@"):
                host = path.parent.relative_to(CONF).as_posix()
                package = f"{host}.{key.split('@')[1]}"
                return [f"{host}={path.stem}", f"{group}@{package}={option}"], package
    raise AssertionError(f"no option of any group chooses a {group}")


def choose(group: str, option: str) -> list[str]:
    """The overrides that select ``group=option``, a primary group or a nested one."""
    return [f"{group}={option}"] if group in PRIMARY else nested_choice(group, option)[0]


GROUPS = sorted({group for group, _ in OPTIONS})


def compose_with(*overrides: str) -> Any:
    register_schemas()
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        return compose(
            "config",
            overrides=["paths.output_dir=unused", *overrides],
            return_hydra_config=True,
        )


def package_of(path: Path, group: str) -> str:
    """Where the option's keys land: its `# @package` header, else the group path."""
    for line in path.read_text().splitlines():
        if line.startswith("# @package "):
            package = line.split(maxsplit=2)[2].strip()
            return "" if package == "_global_" else package
    return group.replace("/", ".")


def leaves(node: Any, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """(key path, value) for every leaf of a plain dict (a list or an empty dict is a leaf; a
    key may hold dots: a sweeper parameter such as `optimizer.adam.lr`)."""
    if isinstance(node, dict) and (node or not prefix):
        return [item for key, value in node.items() for item in leaves(value, (*prefix, key))]
    return [(prefix, node)]


def test_every_yaml_of_every_group_is_listed():
    """The parametrization below covers all group options (none is silently skipped)."""
    on_disk = {p for p in CONF.rglob("*.yaml") if p.parent != CONF}
    assert len(OPTIONS) == len(on_disk) > 0
    assert {"potential", "arch", "experiment", "variant", "trainer", "hydra/launcher"} <= set(
        GROUPS
    )


@pytest.mark.parametrize(("group", "option"), OPTIONS, ids=[f"{g}={o}" for g, o in OPTIONS])
def test_every_group_option_composes_with_its_own_content(group, option):
    """`<group>=<option>` composes with the real primary config, Hydra records the choice, and
    every value the option's YAML sets (its defaults list apart) is in the composed config at
    the option's package, uninterpolated."""
    cfg = compose_with(*choose(group, option))
    chosen = group if group in PRIMARY else f"{group}@{nested_choice(group, option)[1]}"
    assert cfg.hydra.runtime.choices[chosen] == option
    path = CONF / group / f"{option}.yaml"
    own = OmegaConf.to_container(OmegaConf.load(path), resolve=False)
    for entry in own.pop("defaults", None) or []:  # `override /<group>: <option>` entries
        for key, choice in entry.items() if isinstance(entry, dict) else ():
            if key.startswith("override /"):  # `override /group@package: option` too
                overridden = key.removeprefix("override /").split("@")[0]
                assert cfg.hydra.runtime.choices[overridden] == choice
    composed = OmegaConf.to_container(cfg, resolve=False)
    package = package_of(path, group) if group in PRIMARY else nested_choice(group, option)[1]
    for key, value in leaves(own):
        full = (*package.split("."), *key) if package else key
        node: Any = composed
        for part in full:
            assert isinstance(node, dict) and part in node, f"{full} missing"
            node = node[part]
        node = node.name if isinstance(node, Enum) else node  # typed fields: hydra.mode
        assert node == value, f"{full} = {node!r}, the option sets {value!r}"


@pytest.mark.parametrize("group", GROUPS)
def test_an_unknown_option_of_a_group_is_an_error(group):
    """A typo'd option never composes silently into the defaults."""
    with pytest.raises(MissingConfigException):
        compose_with(*choose(group, "nosuch"))


def test_the_schemas_type_the_keys_and_hold_no_value():
    """Every default is written once, in the YAML of its option: no schema field carries one
    (a group removed with ``~logger`` is the one key whose absence means none)."""
    from dataclasses import MISSING as NO_DEFAULT
    from dataclasses import fields

    from qwpinn.pipeline.config import SCHEMAS, RunConf

    for schema in [RunConf, *SCHEMAS.values()]:
        for item in fields(schema):
            has_value = item.default is not NO_DEFAULT and item.default != "???"
            assert not has_value or item.name == "logger", f"{schema.__name__}.{item.name}"
            assert item.default_factory is NO_DEFAULT, f"{schema.__name__}.{item.name}"


def configured_targets() -> list[tuple[str, dict[str, Any]]]:
    """(option, node) of every YAML node with a ``_target_`` in qwpinn (nested ones too)."""
    found = []

    def walk(name: str, node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("_target_", "")).startswith("qwpinn."):
                found.append((name, node))
            for key, value in node.items():
                walk(f"{name}.{key}", value)

    for path in sorted(CONF.rglob("*.yaml")):
        walk(path.relative_to(CONF).as_posix(), OmegaConf.to_container(OmegaConf.load(path)))
    return found


@pytest.mark.parametrize(("option", "node"), configured_targets(), ids=lambda v: str(v)[:40])
def test_a_configured_key_has_no_second_default_in_its_constructor(option, node):
    import inspect

    from hydra.utils import get_class

    target = get_class(node["_target_"])
    if not getattr(target.__init__, "__module__", "").startswith("qwpinn."):  # a library default
        return
    parameters = inspect.signature(target).parameters
    for key in node:
        if key in parameters:
            assert parameters[key].default is inspect.Parameter.empty, f"{option}: {key}"
