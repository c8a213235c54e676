"""Build the Dutch spaCy pipeline that Rasa's SpacyNLP component loads from disk.

The real `nl_core_news_sm` model is used when it is installed (it cannot be downloaded on
offline machines and is not on PyPI). Otherwise a blank Dutch pipeline with the lookup
lemmatizer from `spacy-lookups-data` is built, so training and inference work offline.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

import spacy
from spacy.language import Language

PREFERRED_MODEL = "nl_core_news_sm"


def load_preferred(model_name: str) -> Language | None:
    try:
        return spacy.load(model_name)
    except OSError:
        return None


def build_offline() -> Language:
    nlp = spacy.blank("nl")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    model_name = os.environ.get("SPACY_MODEL", PREFERRED_MODEL)
    nlp = load_preferred(model_name)
    source = model_name
    if nlp is None:
        if os.environ.get("SPACY_MODEL_REQUIRED") == "1":
            print(f"spaCy model {model_name!r} is not installed", file=sys.stderr)
            return 1
        nlp = build_offline()
        source = "blank nl + spacy-lookups-data lemmatizer"
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(args.out)
    (args.out / "SOURCE.json").write_text(json.dumps({"source": source}), encoding="utf-8")
    probe = [t.lemma_ for t in nlp("De terrassen werden aangevraagd")]
    print(f"spaCy pipeline written to {args.out} ({source}); lemma probe: {probe}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
