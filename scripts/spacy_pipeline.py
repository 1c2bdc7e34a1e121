"""Prepares the Dutch spaCy pipeline that `SpacyNLP` in config.yml loads.

First choice is the trained `nl_core_news_sm` release matching spaCy 3.4; it is
only published as a GitHub release, so the download gets a short timeout. When it
can't be had, a blank Dutch pipeline with the lookup lemmatizer of
`spacy-lookups-data` is built instead. Either way the result is saved to one fixed
path, and the script says which pipeline is in use.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

MODEL_NAME = "nl_core_news_sm"
MODEL_VERSION = "3.4.0"
MODEL_URL = (
    "https://github.com/explosion/spacy-models/releases/download/"
    f"{MODEL_NAME}-{MODEL_VERSION}/{MODEL_NAME}-{MODEL_VERSION}-py3-none-any.whl"
)
DOWNLOAD_SECONDS = 45


def try_release() -> bool:
    try:
        __import__(MODEL_NAME)
        return True
    except ImportError:
        pass
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "--timeout",
        "10",
        "--retries",
        "0",
        MODEL_URL,
    ]
    try:
        result = subprocess.run(command, timeout=DOWNLOAD_SECONDS, capture_output=True, text=True)
    except subprocess.TimeoutExpired:
        return False
    return result.returncode == 0


def build_blank(target: Path) -> None:
    import spacy

    nlp = spacy.blank("nl")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # loads the Dutch lookup table from spacy-lookups-data
    if nlp("bedrijfjes")[0].lemma_ != "bedrijf":
        raise SystemExit("FOUT: de Nederlandse lemma-tabel van spacy-lookups-data ontbreekt")
    nlp.meta["name"] = "blank_lookup"
    nlp.to_disk(target)


def main(target: str) -> None:
    import spacy

    path = Path(target)
    marker = path / "pipeline.json"
    if marker.exists():
        print(f"==> spaCy-pijplijn: {json.loads(marker.read_text())['description']} (al aanwezig in {path})")
        return
    if path.exists():
        shutil.rmtree(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if try_release():
        spacy.load(MODEL_NAME).to_disk(path)
        description = f"{MODEL_NAME} {MODEL_VERSION} (getraind Nederlands model)"
    else:
        print(f"==> {MODEL_NAME} {MODEL_VERSION} is niet te downloaden; terugval op spacy.blank('nl')")
        build_blank(path)
        description = "spacy.blank('nl') met de lookup-lemmatizer uit spacy-lookups-data"
    marker.write_text(json.dumps({"description": description}), encoding="utf-8")
    print(f"==> spaCy-pijplijn: {description} -> {path}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "var/spacy/nl")
