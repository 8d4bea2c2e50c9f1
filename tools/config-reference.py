#!/usr/bin/env python3
"""Prints the README's configuration reference tables from src/Core/Configuration/ConfigSchema.cs."""
import pathlib
import re

root = pathlib.Path(__file__).resolve().parent.parent
src = (root / "src/Core/Configuration/ConfigSchema.cs").read_text()
rows = re.findall(r'new\("([a-z_.]+)", "([a-z_]+)", ConfigValueType\.(\w+), (null|"(?:[^"\\]|\\.)*"), "((?:[^"\\]|\\.)*)"[,)]', src)
types = {"String": "string", "Boolean": "boolean", "Integer": "integer", "StringArray": "array of strings", "StringOrStringArray": "string or array of strings", "Duration": "duration"}
current = None
for section, name, kind, default, description in rows:
    if section != current:
        print(f"\n**[{section}]**\n\n| key | type | default | meaning | environment variable |\n| --- | --- | --- | --- | --- |")
        current = section
    default = "—" if default == "null" else default[1:-1].replace('\\"', '"').replace("|", "/")
    env = "MESH_" + "__".join(f"{section}.{name}".split(".")).upper()
    print(f"| `{section}.{name}` | {types[kind]} | {default} | {description.replace(chr(92) + chr(34), chr(34))} | `{env}` |")
