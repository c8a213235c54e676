"""Render the Kubernetes manifests offline (`kubectl kustomize`) and check them: every object
against the Kubernetes schemas (kubernetes-validate, strict), and the topology we promise (the
four services, probes, resources, secrets only from Secrets). Exit code 1 on any problem."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml

HERE = Path(__file__).resolve().parent
OVERLAYS = [HERE / "k8s" / "base", HERE / "k8s" / "overlays" / "province"]
KUBERNETES_VERSION = "1.32.0"
# The services the launcher starts (launcher/ and docs/architecture.md): one Deployment each.
SERVICES = {"rasa", "actions", "web", "dossiers"}
SECRET_NAME = "ondernemersloket-secrets"  # noqa: S105 (the Secret object's name)
SECRET_WORDS = ("TOKEN", "PASSWORD", "SECRET")


def render(folder: Path) -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        raise SystemExit("kubectl is needed to render the manifests (Debian: kubernetes-client)")
    out = subprocess.run([kubectl, "kustomize", str(folder)], check=True,  # noqa: S603
                         capture_output=True,
                         text=True).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


def schema_problems(docs: list[dict[str, Any]]) -> list[str]:
    problems = []
    for doc in docs:
        name = f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            problems.append(f"{name}: {error.message}")
        except kubernetes_validate.SchemaNotFoundError as error:
            problems.append(f"{name}: no schema ({error})")
    return problems


def container_problems(name: str, container: dict[str, Any]) -> list[str]:
    problems = []
    for probe in ("livenessProbe", "readinessProbe"):
        path = (container.get(probe) or {}).get("httpGet", {}).get("path")
        if path not in ("/", "/health", "/ready"):
            problems.append(f"{name}: {probe} must be an HTTP check of /health, /ready or /")
    resources = container.get("resources") or {}
    if not resources.get("requests", {}).get("memory") or not resources.get("limits", {}).get(
            "memory"):
        problems.append(f"{name}: memory request and limit are required")
    for env in container.get("env") or []:
        if any(word in env["name"] for word in SECRET_WORDS) and "value" in env:
            problems.append(f"{name}: {env['name']} must come from a Secret, not a literal")
    refs = [ref.get("secretRef", {}).get("name") for ref in container.get("envFrom") or []]
    if SECRET_NAME not in refs:
        problems.append(f"{name}: secrets come from the Secret {SECRET_NAME}")
    return problems


def topology_problems(docs: list[dict[str, Any]]) -> list[str]:
    deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
    services = {d["metadata"]["name"] for d in docs if d["kind"] == "Service"}
    problems = []
    if set(deployments) != SERVICES:
        problems.append(
            f"Deployments {sorted(deployments)} are not the services {sorted(SERVICES)}")
    if not SERVICES <= services:
        problems.append(f"missing Services: {sorted(SERVICES - services)}")
    for name, deployment in deployments.items():
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            problems += container_problems(name, container)
    if any(d["kind"] == "Secret" for d in docs):
        problems.append("a Secret is committed: secrets are created by the operator")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.parse_args()
    failed = 0
    for folder in OVERLAYS:
        docs = render(folder)
        problems = schema_problems(docs) + topology_problems(docs)
        label = folder.relative_to(HERE)
        print(f"{label}: {len(docs)} objects, {len(problems)} problems")
        for problem in problems:
            print(f"  - {problem}")
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
