"""Which kind of inventory a file is (attt's own or Ansible's), and loading either.

The rule, in order:

1. with an overlay (``--systems``): Ansible;
2. a name ending in ``.ini`` or a file named ``hosts`` (any case, no extension): Ansible;
3. YAML whose top level has ``systems:``: attt; YAML whose top level has ``all:``, or
   whose top-level values are all mappings with ``hosts:``, ``children:`` or ``vars:``
   (Ansible groups): Ansible;
4. anything else: attt (its own errors say what is wrong).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import yaml

from .errors import InputError
from .inventory_loader import load_inventory
from .model import Inventory
from .yamlio import load_file

GROUP_KEYS = ("hosts", "children", "vars")


def inventory_kind(path: str, overlay: str = "") -> str:
    """``ansible`` or ``attt`` (see the module's rule)."""

    if overlay:
        return "ansible"
    name = os.path.basename(path).lower()
    if name.endswith(".ini") or name == "hosts":
        return "ansible"
    try:
        data: Any = load_file(path)
    except (InputError, yaml.YAMLError):
        return "attt"
    if not isinstance(data, Mapping) or "systems" in data:
        return "attt"
    if "all" in data:
        return "ansible"
    groups = list(data.values())
    if groups and all(isinstance(v, Mapping) and set(v) & set(GROUP_KEYS) for v in groups):
        return "ansible"
    return "attt"


def load_any_inventory(path: str, overlay: str = "") -> Inventory:
    """An attt inventory file, or an Ansible inventory with its optional overlay."""

    if inventory_kind(path, overlay) == "ansible":
        from .ansible_overlay import load_ansible

        return load_ansible(path, overlay)
    return load_inventory(path)
