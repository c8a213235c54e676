"""Train the Rasa model only when its inputs changed.

The fingerprint covers the training data, the domain, config.yml, the content folder and the
spaCy pipeline; it is stored next to the model so a stale model is never reused.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
from pathlib import Path

INPUTS = ("config.yml", "domain", "data", "content", "var/spacy/nl_pipeline/SOURCE.json")
MODEL_NAME = "ondernemersloket"


def fingerprint(root: Path) -> str:
    digest = hashlib.sha256()
    for entry in INPUTS:
        path = root / entry
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if not file.exists():
                continue
            digest.update(str(file.relative_to(root)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=Path("models"))
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    root = Path.cwd()
    current = fingerprint(root)
    stamp = args.out / f"{MODEL_NAME}.fingerprint"
    model = args.out / f"{MODEL_NAME}.tar.gz"
    if not args.force and model.exists() and stamp.exists() and stamp.read_text() == current:
        print(f"Model {model} is up to date; not training.")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    rasa = Path(sys.executable).with_name("rasa")
    cmd = [str(rasa), "train", "--config", "config.yml", "--domain", "domain", "--data", "data",
           "--out", str(args.out), "--fixed-model-name", MODEL_NAME]
    print("Training:", " ".join(cmd), flush=True)
    result = subprocess.run(cmd, env=os.environ.copy(), check=False)
    if result.returncode != 0:
        return result.returncode
    stamp.write_text(current)
    return 0


if __name__ == "__main__":
    sys.exit(main())
