#!/usr/bin/env bash
# `make k8s-validate` renders the manifests with `kubectl kustomize`: install kubectl from the
# machine's apt sources when it is missing (the Debian package kubernetes-client otherwise).
set -euo pipefail
command -v kubectl >/dev/null 2>&1 && exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "kubectl is missing and we are not root: install kubectl (or Debian's kubernetes-client)." >&2; exit 1; fi
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq kubectl >/dev/null 2>&1 \
  || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq kubernetes-client >/dev/null
command -v kubectl >/dev/null 2>&1 || { echo "kubectl install failed" >&2; exit 1; }
