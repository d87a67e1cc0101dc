#!/usr/bin/env bash
# Renders the Helm chart with its default values into deploy/manifests/egress.yaml (plain manifests for kubectl apply),
# what HelmChartTest checks is in step with the chart. Needs helm (scripts/setup test installs it).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HELM="$(command -v helm || echo "${HOME}/go/bin/helm")"
"$HELM" template egress "$ROOT/deploy/helm/egress" --namespace egress > "$ROOT/deploy/manifests/egress.yaml"
echo "wrote deploy/manifests/egress.yaml"
