#!/usr/bin/env sh
# Installs a pinned OPA into bench/.tools with the Go toolchain (idempotent).
set -eu
OPA_VERSION=v1.22.3
TOOLS="$(cd "$(dirname "$0")" && pwd)/.tools"

if [ -x "$TOOLS/opa" ] && "$TOOLS/opa" version | grep -qx "Version: ${OPA_VERSION#v}"; then
  echo "opa $OPA_VERSION already installed at $TOOLS/opa"
  exit 0
fi
command -v go >/dev/null || { echo "Go toolchain required: https://go.dev/dl/" >&2; exit 1; }
mkdir -p "$TOOLS"
echo "building opa $OPA_VERSION into $TOOLS (takes a few minutes)..."
GOBIN="$TOOLS" go install "github.com/open-policy-agent/opa@$OPA_VERSION"
"$TOOLS/opa" version | head -n 1
