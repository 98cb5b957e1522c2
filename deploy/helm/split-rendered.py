"""Splits `helm template` output into one file per object: Kubernetes kinds into OUT/core/*.yaml
(for kubernetes-validate), custom resources into OUT/crd/*.json (for validate-crds.ts). Fails on an
empty render or a kind it does not know where to check."""
import json
import os
import sys

import yaml

CORE = {"ConfigMap", "Deployment", "HorizontalPodAutoscaler", "Job", "NetworkPolicy", "PodDisruptionBudget", "Service", "ServiceAccount"}
CRD = {"ScaledObject", "TriggerAuthentication", "ServiceMonitor"}

out = sys.argv[1]
os.makedirs(f"{out}/core", exist_ok=True)
os.makedirs(f"{out}/crd", exist_ok=True)
for path in sys.argv[2:]:
    docs = [d for d in yaml.safe_load_all(open(path)) if d]
    if not docs:
        sys.exit(f"{path}: rendered nothing")
    base = os.path.basename(path).removesuffix(".yaml")
    for i, doc in enumerate(docs):
        kind = doc.get("kind")
        name = f"{base}-{i:02d}-{kind}-{doc['metadata']['name']}"
        if kind in CORE:
            with open(f"{out}/core/{name}.yaml", "w") as f:
                yaml.safe_dump(doc, f)
        elif kind in CRD:
            with open(f"{out}/crd/{name}.json", "w") as f:
                json.dump(doc, f)
        else:
            sys.exit(f"{path}: {kind} {doc['metadata']['name']}: no schema to check it against")
