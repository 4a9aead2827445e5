"""The TypeScript SDK's wire types are generated from the server's models and kept current.

web/sdk/src/generated/wire.ts comes from scripts/gen_wire_types.py; if a server change to a
message body, an op's input or an error code is not regenerated into it, this fails — and once
regenerated, the SDK's compile-time checks (web/sdk/src/generated/conformance.ts) name what the
client must change. So a server change cannot silently break the client.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

from tidings.domain.bodies import MessageType
from tidings.domain.errors import ErrorCode
from tidings.gateway.ops import OPS

ROOT = Path(__file__).resolve().parents[1]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_wire_types", ROOT / "scripts" / "gen_wire_types.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _interface(text: str, name: str) -> str:
    found = re.search(rf"export interface {name} \{{\n(.*?)\n\}}", text, re.S)
    assert found, name
    return found.group(1)


def test_the_generated_wire_types_match_the_server() -> None:
    generator = _generator()
    committed = generator.OUT.read_text(encoding="utf-8")
    assert committed == generator.build(), (
        "web/sdk/src/generated/wire.ts is out of date with the server's models: run "
        ".venv/bin/python scripts/gen_wire_types.py, then `npm run typecheck` in web/ "
        "shows what the SDK has to change"
    )


def test_every_op_body_and_error_code_is_in_them() -> None:
    text = _generator().build()
    requests = _interface(text, "OpRequests")
    for name in [*OPS, "auth"]:
        assert f"'{name}':" in requests, name
    bodies = _interface(text, "MessageBodies")
    for kind in MessageType:
        assert f"'{kind.value}':" in bodies, kind
    for code in ErrorCode:
        assert f"| '{code.value}'" in text, code


def test_bodies_are_typed_as_they_travel_and_inputs_as_accepted() -> None:
    text = _generator().build()
    # A body field left out when unset is optional and never null on the wire.
    image = _interface(text, "ImageBody")
    assert "  size?: number;" in image and "  file_id: string;" in image
    assert "  precision?: 'precise' | 'blurred';" in _interface(text, "LocationBody")
    # An input's null means something: "stop being an admin", "out of any contact group".
    assert "  powers: ('approve_joins'" in _interface(text, "SetAdminOp")
    assert "| null;" in _interface(text, "SetAdminOp")
    assert "  contact_group_id?: number | null;" in _interface(text, "ContactUpdateOp")
    # The rules travel along as comments.
    assert "/** min length 1; max length 64; pattern ^[A-Za-z0-9_:.\\-]+$ */" in _interface(
        text, "SendOp"
    )
