"""Write a synthetic fact base of N products (with proportionate companies, targets, indications).

It reuses the shipped sources so every citation resolves, and it validates like the real one.

    python benchmarks/generate.py 10000 > /tmp/facts-10k.yaml
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def generate(n_products: int) -> dict[str, object]:
    base = yaml.safe_load((ROOT / "data" / "facts.yaml").read_text(encoding="utf-8"))
    cite = [{"source": "seed-000"}]
    n_companies, n_targets, n_indications = max(1, n_products // 4), max(1, n_products // 20), max(1, n_products // 20)
    for i in range(n_companies):
        base["companies"].append(
            {
                "id": f"synth-co-{i}",
                "name": f"Synthetic Company {i}",
                "aliases": [f"SynCo {i}"],
                "kind": "domestic",
                "sources": cite,
            }
        )
    for i in range(n_targets):
        base["targets"].append({"id": f"synth-tg-{i}", "name": f"SYN{i}", "sources": cite})
    for i in range(n_indications):
        base["indications"].append(
            {
                "id": f"synth-ind-{i}",
                "name": f"Synthetic disease {i}",
                "abbreviations": [f"SD{i}"],
                "category": "solid_tumour",
                "sources": cite,
            }
        )
    for i in range(n_products):
        base["products"].append(
            {
                "id": f"synth-{i}",
                "name": f"Synthecel {i} (synthecabtagene {i})",
                "inn": f"synthecabtagene {i}",
                "brand_names": [f"Synbrand{i}"],
                "short_names": [f"synth-cel-{i}"],
                "code_names": [f"SYN-{i:05d}"],
                "companies": [{"company": f"synth-co-{i % n_companies}", "role": "developer"}],
                "targets": [f"synth-tg-{i % n_targets}"],
                "cell_source": "autologous",
                "status": "approved",
                "sources": cite,
            }
        )
    return base


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    yaml.safe_dump(generate(count), sys.stdout, allow_unicode=True, sort_keys=False)
