#!/usr/bin/python3
"""Typed check of Mesh's Kubernetes manifests against the Kubernetes API models of Debian's python3-kubernetes.

Usage: validate_manifests.py DIR   (DIR holds kustomization.yaml)
Builds what `kubectl apply -k DIR` would apply (resources, plus the configMapGenerator's ConfigMaps, namespace set),
then checks every object field by field against the model of its kind: an unknown field, a wrong type or a missing
required field is an error naming the object and the path. Exit 0 when all is well, 1 with one line per problem.

python3-kubernetes 22.6 carries the Kubernetes 1.22 API. Fields added since that the manifests use are listed in
NEWER_FIELDS with the release that added them, and checked by the same rules.
"""
import datetime
import pathlib
import sys

import kubernetes.client as k8s
import yaml

KINDS = {
    ("v1", "Namespace"): "V1Namespace",
    ("v1", "Secret"): "V1Secret",
    ("v1", "ConfigMap"): "V1ConfigMap",
    ("v1", "Service"): "V1Service",
    ("v1", "PersistentVolumeClaim"): "V1PersistentVolumeClaim",
    ("apps/v1", "Deployment"): "V1Deployment",
    ("apps/v1", "DaemonSet"): "V1DaemonSet",
}

# model -> {json field: (type, release)}: GA after the 1.22 API this client knows.
NEWER_FIELDS = {
    "V1Probe": {"grpc": ("V1GRPCAction", "1.27")},
}
NEWER_MODELS = {
    "V1GRPCAction": {"port": ("int", True), "service": ("str", False)},
}
SCALARS = {"str": str, "int": int, "bool": bool, "float": (int, float), "object": object}


def check(value, type_name, path, problems):
    if type_name.startswith("list["):
        if not isinstance(value, list):
            problems.append(f"{path}: expected a list")
            return
        for i, item in enumerate(value):
            check(item, type_name[5:-1], f"{path}[{i}]", problems)
        return
    if type_name.startswith("dict("):
        if not isinstance(value, dict):
            problems.append(f"{path}: expected a map")
            return
        inner = type_name[5:-1].split(", ", 1)[1]
        for key, item in value.items():
            check(item, inner, f"{path}.{key}", problems)
        return
    if type_name in SCALARS:
        if type_name == "int" and isinstance(value, bool) or not isinstance(value, SCALARS[type_name]):
            problems.append(f"{path}: expected {type_name}, got {type(value).__name__}")
        return
    if type_name == "datetime":
        if not isinstance(value, (str, datetime.datetime)):
            problems.append(f"{path}: expected a time")
        return
    if not isinstance(value, dict):
        problems.append(f"{path}: expected an object ({type_name})")
        return
    if type_name in NEWER_MODELS:
        fields = NEWER_MODELS[type_name]
        for key, item in value.items():
            if key not in fields:
                problems.append(f"{path}.{key}: unknown field of {type_name}")
            else:
                check(item, fields[key][0], f"{path}.{key}", problems)
        for key, (_, required) in fields.items():
            if required and key not in value:
                problems.append(f"{path}.{key}: required field of {type_name} is missing")
        return
    model = getattr(k8s, type_name)
    by_json = {json: attr for attr, json in model.attribute_map.items()}
    newer = NEWER_FIELDS.get(type_name, {})
    for key, item in value.items():
        if key in by_json:
            check(item, model.openapi_types[by_json[key]], f"{path}.{key}", problems)
        elif key in newer:
            check(item, newer[key][0], f"{path}.{key}", problems)
        else:
            problems.append(f"{path}.{key}: unknown field of {type_name}")
    # Required fields: the models raise on a None that is not allowed.
    try:
        model(**{attr: value.get(json, _Present()) if json in value else None for attr, json in model.attribute_map.items()},
              local_vars_configuration=k8s.Configuration())
    except ValueError as error:
        problems.append(f"{path}: {error}")
    except TypeError:
        pass


class _Present:
    """Stands for a field that is set, so the model's required-field checks see it as present."""


def objects(directory):
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    namespace = kustomization.get("namespace")
    for resource in kustomization.get("resources", []):
        for document in yaml.safe_load_all((directory / resource).read_text()):
            if document is not None:
                yield resource, document, namespace
    for generator in kustomization.get("configMapGenerator", []):
        data = {pathlib.Path(f).name: (directory / f).read_text() for f in generator.get("files", [])}
        yield "configMapGenerator", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": generator["name"]}, "data": data}, namespace


def main():
    directory = pathlib.Path(sys.argv[1])
    problems = []
    count = 0
    for source, document, namespace in objects(directory):
        count += 1
        key = (document.get("apiVersion"), document.get("kind"))
        name = f"{source}: {key[1]} {document.get('metadata', {}).get('name')}"
        if key not in KINDS:
            problems.append(f"{name}: kind {key[1]} of {key[0]} is not one this check knows")
            continue
        check(document, KINDS[key], name, problems)
    for problem in problems:
        print(problem)
    print(f"{count} objects, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
