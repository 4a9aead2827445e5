#!/usr/bin/env python3
"""Generate the TypeScript SDK's wire types from the server's pydantic models.

    .venv/bin/python scripts/gen_wire_types.py           # rewrite web/sdk/src/generated/wire.ts
    .venv/bin/python scripts/gen_wire_types.py --check   # exit 1 if the file is out of date

What the server validates is the contract: message bodies (tidings.domain.bodies), the input
of every WebSocket op and REST call (tidings.schemas, tidings.file_schemas, the profile
update), which op takes which input (the gateway's registry), and the names the server uses
for errors, pushes, close codes, platforms and file kinds. Each model's JSON Schema
(pydantic's own) is turned into a TypeScript interface by the small emitter below; the
SDK's protocol.ts uses these types and checks its own against them
(web/sdk/src/generated/conformance.ts), and tests/test_wire_types.py fails when this file
no longer matches the server — so a server change cannot silently break the client.

Replies and pushes are built as plain dicts on the server (no models); they stay
hand-written in protocol.ts, and only their names are checked.
"""

from __future__ import annotations

import inspect
import json
import sys
from enum import Enum
from pathlib import Path
from types import ModuleType
from typing import Any

from pydantic import BaseModel

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "web" / "sdk" / "src" / "generated" / "wire.ts"

HEADER = """\
/**
 * The wire types the server validates, generated from its pydantic models by
 * scripts/gen_wire_types.py. Do not edit: run the script after changing the server's schemas
 * (tests/test_wire_types.py fails until then).
 *
 * Message bodies are typed as they travel: a field the server leaves out when it holds its
 * default is optional. Inputs are typed as the server accepts them: `null` where it means
 * something (clear, unset), optional where there is a default.
 */
"""

# JSON Schema keywords that say more about a value than its TypeScript type can.
_CONSTRAINTS = (
    ("minLength", "min length {}"),
    ("maxLength", "max length {}"),
    ("pattern", "pattern {}"),
    ("minimum", "≥ {}"),
    ("exclusiveMinimum", "> {}"),
    ("maximum", "≤ {}"),
    ("exclusiveMaximum", "< {}"),
    ("minItems", "at least {} items"),
    ("maxItems", "at most {} items"),
    ("format", "{}"),
)
# Bounds this large are "fits in 64 bits", not a rule worth reading.
_HUGE = 2**53


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return json.dumps(value)


class Emitter:
    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.named: set[str] = set()

    # ---- types ---------------------------------------------------------------------------

    def type_of(self, schema: dict[str, Any], defs: dict[str, Any]) -> str:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            self.definition(name, defs[name], defs)
            return name
        if "anyOf" in schema:
            parts: list[str] = []
            for branch in schema["anyOf"]:
                part = self.type_of(branch, defs)
                if part not in parts:
                    parts.append(part)
            return " | ".join(parts)
        if "enum" in schema:
            return " | ".join(_literal(v) for v in schema["enum"])
        if "const" in schema:
            return _literal(schema["const"])
        kind = schema.get("type")
        if kind == "string":
            return "string"
        if kind in ("integer", "number"):
            return "number"
        if kind == "boolean":
            return "boolean"
        if kind == "null":
            return "null"
        if kind == "array":
            inner = self.type_of(schema.get("items", {}), defs)
            return f"({inner})[]" if " | " in inner else f"{inner}[]"
        if kind == "object":
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                return f"Record<string, {self.type_of(extra, defs)}>"
            # Any JSON object (an interface type is assignable to `object`, not to a Record).
            return "object"
        return "unknown"

    def definition(self, name: str, schema: dict[str, Any], defs: dict[str, Any]) -> None:
        """A named type from a model's $defs (enums, nested models), once."""
        if name in self.named:
            return
        self.named.add(name)
        if schema.get("type") == "object" and "properties" in schema:
            self.interface(name, schema, defs, wire=False)
        else:
            doc = self.doc(schema.get("description"), "")
            self.blocks.append(f"{doc}export type {name} = {self.type_of(schema, defs)};\n")

    # ---- interfaces ----------------------------------------------------------------------

    @staticmethod
    def doc(text: str | None, indent: str) -> str:
        if not text:
            return ""
        lines = [line.strip() for line in inspect.cleandoc(text).splitlines()]
        if len(lines) == 1:
            return f"{indent}/** {lines[0]} */\n"
        body = "".join(f"{indent} * {line}".rstrip() + "\n" for line in lines)
        return f"{indent}/**\n{body}{indent} */\n"

    @staticmethod
    def constraints(schema: dict[str, Any]) -> str:
        # Of `X | null`, the rules of X.
        branches = [b for b in schema.get("anyOf", [schema]) if b.get("type") != "null"]
        source = branches[0] if len(branches) == 1 else schema
        notes = []
        for key, template in _CONSTRAINTS:
            value = source.get(key)
            if value is None or (isinstance(value, int) and abs(value) >= _HUGE):
                continue
            notes.append(template.format(value))
        items = source.get("items")
        if isinstance(items, dict) and source.get("type") == "array":
            inner = Emitter.constraints(items)
            if inner:
                notes.append(f"each: {inner}")
        return "; ".join(notes)

    def interface(
        self, name: str, schema: dict[str, Any], defs: dict[str, Any], *, wire: bool
    ) -> None:
        self.named.add(name)
        required = set(schema.get("required", []))
        lines = []
        for field, prop in schema.get("properties", {}).items():
            optional = field not in required
            prop_schema = prop
            if wire and optional and "anyOf" in prop and prop.get("default", 0) is None:
                # Left out on the wire when unset (exclude_defaults): optional, never null.
                prop_schema = {"anyOf": [b for b in prop["anyOf"] if b.get("type") != "null"]}
            ts = self.type_of(prop_schema, defs)
            # A pattern holding "*/" must not end the comment.
            rules = self.constraints(prop).replace("*/", "*\\/")
            comment = f"  /** {rules} */\n" if rules else ""
            lines.append(f"{comment}  {field}{'?' if optional else ''}: {ts};\n")
        doc = self.doc(schema.get("description"), "")
        body = "".join(lines)
        if body:
            self.blocks.append(f"{doc}export interface {name} {{\n{body}}}\n")
        else:
            self.blocks.append(f"{doc}export type {name} = Record<string, never>;\n")

    def model(self, model: type[BaseModel], *, wire: bool = False, name: str | None = None) -> str:
        name = name or model.__name__
        if name in self.named:
            return name
        schema = model.model_json_schema(mode="validation")
        defs = schema.get("$defs", {})
        self.interface(name, schema, defs, wire=wire)
        return name

    def union(self, name: str, values: list[Any], doc: str) -> None:
        self.blocks.append(
            f"{self.doc(doc, '')}export type {name} =\n"
            + "".join(f"  | {_literal(v)}\n" for v in values)[:-1]
            + ";\n"
        )

    def mapping(self, name: str, entries: dict[str, str], doc: str) -> None:
        body = "".join(f"  {_literal(key)}: {value};\n" for key, value in entries.items())
        self.blocks.append(f"{self.doc(doc, '')}export interface {name} {{\n{body}}}\n")

    def section(self, title: str) -> None:
        self.blocks.append(f"// ---- {title} {'-' * max(4, 86 - len(title))}\n")


def _models_of(module: ModuleType) -> list[type[BaseModel]]:
    """The models a module defines, in the order it defines them."""
    return [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, BaseModel)
        and value.__module__ == module.__name__
        and not value.__name__.startswith("_")
    ]


def _values(enum: type[Enum]) -> list[Any]:
    return [member.value for member in enum]


def build() -> str:
    from tidings import file_schemas, schemas
    from tidings.domain.accounts import Platform, ProfileUpdate
    from tidings.domain.bodies import BODY_MODELS, MessageType
    from tidings.domain.errors import ErrorCode
    from tidings.domain.events import CloseCode, PushEvent
    from tidings.domain.files import FileKind
    from tidings.domain.site_settings import SiteSettings
    from tidings.gateway.ops import OPS

    out = Emitter()
    out.section("names the server uses")
    out.union(
        "MessageType", _values(MessageType), "Message types (tidings.domain.bodies.MessageType)."
    )
    out.union(
        "ServerErrorCode",
        _values(ErrorCode),
        "Every error code the server sends (tidings.domain.errors).",
    )
    out.union(
        "PushName",
        _values(PushEvent),
        "Every push the server sends (tidings.domain.events.PushEvent).",
    )
    out.union("ServerCloseCode", _values(CloseCode), "WebSocket close codes the server uses.")
    out.named.update({"Platform", "FileKind"})
    out.union("Platform", _values(Platform), "Where a session runs.")
    out.union("FileKind", _values(FileKind), "What a stored file is.")

    out.section("message bodies, as they travel")
    bodies = {kind.value: out.model(model, wire=True) for kind, model in BODY_MODELS.items()}
    out.mapping("MessageBodies", bodies, "The body of each message type.")

    out.section("inputs: WebSocket op data and REST request bodies")
    for module in (schemas, file_schemas):
        for model in _models_of(module):
            if model is not schemas.Input:  # the base of them all, no fields
                out.model(model)
    out.model(ProfileUpdate)
    ops = {"auth": out.model(schemas.AuthInput)}
    for op_name in sorted(OPS):
        ops[op_name] = out.model(OPS[op_name][0])
    out.mapping("OpRequests", ops, "The data each WebSocket op takes (the gateway's registry).")

    out.section("site settings (GET /api/v1/public/settings, the site_settings_changed push)")
    out.model(SiteSettings)
    return HEADER + "\n" + "\n".join(out.blocks)


def main() -> int:
    text = build()
    if "--check" in sys.argv:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(
                f"{OUT.relative_to(ROOT)} is out of date: run scripts/gen_wire_types.py",
                file=sys.stderr,
            )
            return 1
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
