"""Does the Dutch lemmatiser/tagger Frog help intent classification? (docs/frog.md)

Compares text views of each message as input to the baseline classifier of
scripts/nlu_baseline.py (its `build_model`: TF-IDF word 1–2 + char_wb 2–5 and
LogisticRegression, C=100): the raw lower-cased text, the lemmas of the blank spaCy
pipeline the project uses (var/spacy/nl), Frog's lemmas, Frog's lemmas plus coarse POS
tags as extra tokens (`POS_N`, `POS_WW`, ...), and the raw text combined with lemmas.
This is a proxy: features for the linear baseline, not inside DIET.

1. Frog (Debian packages `frog`, `frogdata`) runs as a server (`frog -S PORT`, lemmatiser
   and tagger only: `--skip=mpacn`, `-n` one sentence per request line). Frog can only
   listen on all interfaces, so the script runs itself in a private network namespace
   (`unshare --net`, needs root) whose only interface is the loopback: the server is
   reachable on 127.0.0.1 only, and disappears with the namespace. Frog's output per
   message (token, lemma, POS tag) is cached in var/frog_cache.json.
2. 5-fold stratified cross-validation (random_state 2021, the same folds for every view)
   on the training data (data/nlu/): intent macro-F1 and accuracy per view, and the
   per-fold macro-F1 difference with the raw view.
3. Once: each view trained on all training data, scored on the held-out set (tests/nlu/).
4. Time per message: 200 single-message requests to the running Frog server on
   127.0.0.1 (one open connection, and a new connection per request), and 200 calls of
   the blank spaCy pipeline; median and p95 (10 warm-up calls first, not counted).

Usage: .venv/bin/python scripts/frog_experiment.py [--repeats N] [--no-timing] [--no-held-out]
Takes about a minute, plus ~40 s per extra CV repeat; Frog's start-up takes a few seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, str(Path(__file__).resolve().parent))

import nlu_data
from nlu_baseline import SEED, build_model

CACHE = nlu_data.ROOT / "var" / "frog_cache.json"
SPACY_MODEL = nlu_data.ROOT / "var" / "spacy" / "nl"
FROG_ARGS = ["--skip=mpacn", "-n"]  # no MWU, parser, morphology, chunker, NER; a line is a sentence
TIMING_REQUESTS = 200
WARM_UP = 10
NETNS_MARK = "FROG_EXPERIMENT_NETNS"

# Frog output: Token (word, lemma, POS tag) per message.
Token = tuple[str, str, str]


# --------------------------------------------------------------------------- Frog server


class FrogServer:
    """`frog -S PORT` as a child process, talked to over 127.0.0.1."""

    def __init__(self, port: int, startup_timeout: float = 120.0) -> None:
        self.port = port
        self._workdir = tempfile.TemporaryDirectory(prefix="frog-")  # frog writes frog.*.debug into its cwd
        # The log stays open for the server's lifetime and is closed in stop().
        self._log = open(Path(self._workdir.name) / "server.log", "w", encoding="utf-8")  # noqa: SIM115
        started = time.perf_counter()
        self.process = subprocess.Popen(
            ["frog", *FROG_ARGS, "-S", str(port)],
            cwd=self._workdir.name,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.connection = self._connect_when_up(startup_timeout)
        self.startup_seconds = time.perf_counter() - started

    def _connect_when_up(self, timeout: float) -> socket.socket:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"frog exited with {self.process.returncode}: {self.log_tail()}")
            try:
                connection = self.connect()
            except OSError:  # not listening yet: frog listens once its models are loaded
                time.sleep(0.25)
                continue
            self.request(connection, "test")
            return connection
        raise RuntimeError(f"frog did not answer within {timeout:.0f} s: {self.log_tail()}")

    def connect(self) -> socket.socket:
        connection = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        connection.settimeout(60)
        return connection

    @staticmethod
    def request(connection: socket.socket, text: str) -> str:
        """Frog's tab-separated answer for one message (one line; Frog ends it with READY)."""
        connection.sendall((" ".join(text.split()) + "\n").encode("utf-8"))
        answer = b""
        while not answer.endswith(b"READY\n\n"):
            data = connection.recv(65536)
            if not data:
                raise ConnectionError("frog closed the connection")
            answer += data
        return answer.decode("utf-8")[: -len("READY\n\n")]

    def annotate(self, text: str) -> list[Token]:
        return parse_frog(self.request(self.connection, text))

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def log_tail(self) -> str:
        self._log.flush()
        return " | ".join((Path(self._workdir.name) / "server.log").read_text().splitlines()[-3:])

    def stop(self) -> None:
        try:
            self.connection.close()
        except OSError as error:
            print(f"closing the Frog connection failed: {error}", file=sys.stderr)
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        self._workdir.cleanup()


def parse_frog(answer: str) -> list[Token]:
    """(word, lemma, POS tag) per token; columns: index, word, lemma, morphology, POS, confidence, ..."""
    tokens: list[Token] = []
    for line in answer.splitlines():
        fields = line.split("\t")
        if len(fields) >= 5 and fields[0].isdigit():
            tokens.append((fields[1], fields[2], fields[4]))
    return tokens


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def frog_server() -> Iterator[FrogServer]:
    if NETNS_MARK not in os.environ:
        raise RuntimeError("frog -S listens on all interfaces: run it only in the private network namespace")
    server = FrogServer(free_port())
    try:
        yield server
    finally:
        server.stop()


def enter_private_netns() -> None:
    """Run this script again in a network namespace with only the loopback interface."""
    if NETNS_MARK in os.environ:
        return
    if shutil.which("unshare") is None or os.geteuid() != 0:
        sys.exit(
            "needs root and unshare(1): frog -S listens on all interfaces, so it runs in a private netns"
        )
    os.environ[NETNS_MARK] = "1"
    script = 'ip link set lo up && exec "$@"'
    # Replaces this process by itself inside a private network namespace (no shell involved).
    os.execvp("unshare", ["unshare", "--net", "--", "sh", "-c", script, "sh", sys.executable, *sys.argv])


# --------------------------------------------------------------------------- views


def load_cache() -> dict[str, list[Token]]:
    if CACHE.exists():
        content = json.loads(CACHE.read_text(encoding="utf-8"))
        if content.get("frog_args") == FROG_ARGS:
            return {text: [tuple(token) for token in tokens] for text, tokens in content["messages"].items()}
    return {}


def frog_annotations(texts: list[str]) -> dict[str, list[Token]]:
    """Frog's tokens for each text, from the cache or else from a Frog server (then cached)."""
    cache = load_cache()
    missing = sorted({text for text in texts if text not in cache})
    if missing:
        print(
            f"Frog: {len(missing)} messages not in {CACHE.relative_to(nlu_data.ROOT)}, starting frog -S ..."
        )
        with frog_server() as server:
            for text in missing:
                cache[text] = server.annotate(text)
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        content = {"frog_args": FROG_ARGS, "messages": dict(sorted(cache.items()))}
        CACHE.write_text(json.dumps(content, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    return {text: cache[text] for text in texts}


def load_spacy():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # spaCy's import pulls in TensorFlow here
    import spacy

    return spacy.load(SPACY_MODEL)


def views(texts: list[str], nlp) -> dict[str, list[str]]:
    """The text views compared, each a list parallel to `texts`."""
    frog = frog_annotations(texts)
    raw = [text.lower() for text in texts]
    spacy_lemmas = [" ".join(token.lemma_.lower() for token in doc) for doc in nlp.pipe(texts)]
    frog_lemmas = [" ".join(lemma.lower() for _, lemma, _ in frog[text]) for text in texts]
    frog_pos = [" ".join("POS_" + tag.split("(")[0] for _, _, tag in frog[text]) for text in texts]
    frog_lemmas_pos = [f"{lemmas} {pos}" for lemmas, pos in zip(frog_lemmas, frog_pos, strict=True)]
    return {
        "(a) raw text (baseline)": raw,
        "(b) spaCy lemmas (blank nl)": spacy_lemmas,
        "(c) Frog lemmas": frog_lemmas,
        "(d) Frog lemmas + POS": frog_lemmas_pos,
        "(e) raw + spaCy lemmas": [f"{a} {b}" for a, b in zip(raw, spacy_lemmas, strict=True)],
        "(f) raw + Frog lemmas": [f"{a} {b}" for a, b in zip(raw, frog_lemmas, strict=True)],
        "(g) raw + Frog lemmas + POS": [f"{a} {b}" for a, b in zip(raw, frog_lemmas_pos, strict=True)],
    }


# --------------------------------------------------------------------------- scoring


def cross_validate(view: dict[str, list[str]], intents: list[str], seed: int = SEED) -> dict[str, dict]:
    y = np.array(intents)
    folds = list(StratifiedKFold(n_splits=5, shuffle=True, random_state=seed).split(np.zeros(len(y)), y))
    results: dict[str, dict] = {}
    for name, texts in view.items():
        x = np.array(texts, dtype=object)
        f1s, accuracies = [], []
        for train, test in folds:
            predicted = build_model().fit(x[train], y[train]).predict(x[test])
            f1s.append(f1_score(y[test], predicted, average="macro"))
            accuracies.append(accuracy_score(y[test], predicted))
        results[name] = {"f1": f1s, "accuracy": accuracies}
    return results


def print_cv(results: dict[str, dict]) -> None:
    base = np.array(results["(a) raw text (baseline)"]["f1"])
    print(f"\n5-fold stratified CV on the training data (random_state {SEED}), intent macro-F1:")
    print(f"  {'view':30s} {'macro-F1':>9s} {'(sd)':>7s} {'accuracy':>9s}   {'Δ F1 vs (a) per fold':s}")
    for name, scores in results.items():
        f1 = np.array(scores["f1"])
        delta = f1 - base
        print(
            f"  {name:30s} {f1.mean():9.3f} {f1.std():7.3f} {np.mean(scores['accuracy']):9.3f}   "
            f"{delta.mean():+.3f} (folds better {int((delta > 0).sum())}/5, "
            f"range {delta.min():+.3f} … {delta.max():+.3f})"
        )


def print_repeats(runs: list[dict[str, dict]]) -> None:
    """The same CV with other shuffles (random_state 2021, 2022, ...): is a difference more than noise?"""
    print(
        f"\nRepeated: {len(runs)} × 5-fold CV (random_state {SEED}…{SEED + len(runs) - 1}), intent macro-F1:"
    )
    print(f"  {'view':30s} {'macro-F1':>9s} {'accuracy':>9s}   Δ F1 vs (a)")
    base = np.concatenate([run["(a) raw text (baseline)"]["f1"] for run in runs])
    for name in runs[0]:
        f1 = np.concatenate([run[name]["f1"] for run in runs])
        accuracy = np.concatenate([run[name]["accuracy"] for run in runs])
        delta = f1 - base
        print(
            f"  {name:30s} {f1.mean():9.3f} {accuracy.mean():9.3f}   {delta.mean():+.3f} "
            f"(folds better {int((delta > 0).sum())}/{len(delta)}, sd of Δ {delta.std():.3f})"
        )


def score_held_out(train_view: dict[str, list[str]], intents: list[str], test_view, test_intents) -> None:
    print(f"\nHeld-out set (tests/nlu/, {len(test_intents)} messages), trained on all training data:")
    print(f"  {'view':30s} {'macro-F1':>9s} {'accuracy':>9s}")
    for name, texts in train_view.items():
        predicted = build_model().fit(texts, intents).predict(test_view[name])
        print(
            f"  {name:30s} {f1_score(test_intents, predicted, average='macro'):9.3f} "
            f"{accuracy_score(test_intents, predicted):9.3f}"
        )


# --------------------------------------------------------------------------- timing


def percentiles(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * len(ms)) - 1)]
    return f"median {statistics.median(ms):7.2f} ms   p95 {p95:7.2f} ms   (n={len(ms)})"


def timed(call, messages: list[str]) -> list[float]:
    for text in messages[:WARM_UP]:
        call(text)
    seconds = []
    for text in messages:
        started = time.perf_counter()
        call(text)
        seconds.append(time.perf_counter() - started)
    return seconds


def timing(texts: list[str], nlp) -> None:
    messages = random.Random(SEED).sample(texts, TIMING_REQUESTS)
    print(
        f"\nTime per message, {TIMING_REQUESTS} single-message calls (load average {os.getloadavg()[0]:.2f}):"
    )
    spacy_seconds = timed(nlp, messages)
    with frog_server() as server:
        print(f"  Frog server start-up (models loaded): {server.startup_seconds:.1f} s")
        frog_seconds = timed(lambda text: server.request(server.connection, text), messages)

        def new_connection(text: str) -> None:
            with server.connect() as connection:
                server.request(connection, text)

        frog_connect_seconds = timed(new_connection, messages)
        rss = server.rss_mib()
    print(f"  blank spaCy nl (in process)              {percentiles(spacy_seconds)}")
    print(f"  Frog -S, one open connection             {percentiles(frog_seconds)}")
    print(f"  Frog -S, new connection per message      {percentiles(frog_connect_seconds)}")
    print(f"  Frog server memory (RSS): {rss:.0f} MiB; frog server stopped.")


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-timing", action="store_true", help="skip the time-per-message measurement")
    parser.add_argument("--no-held-out", action="store_true", help="skip the held-out scoring")
    parser.add_argument("--repeats", type=int, default=1, help="also repeat the CV with N shuffles (2021…)")
    args = parser.parse_args(argv)

    training = nlu_data.read_examples(nlu_data.TRAINING)
    texts, intents = [text for text, _ in training], [intent for _, intent in training]
    print(f"{len(training)} training examples, {len(set(intents))} intents")
    nlp = load_spacy()

    train_view = views(texts, nlp)
    spacy_lemmas, frog_lemmas = train_view["(b) spaCy lemmas (blank nl)"], train_view["(c) Frog lemmas"]
    differ = sum(a != b for a, b in zip(spacy_lemmas, frog_lemmas, strict=True))
    print(f"Frog's lemmas differ from spaCy's in {differ} of {len(texts)} messages")
    print("  (e.g. wil → willen, kan → kunnen)")
    runs = [cross_validate(train_view, intents, SEED)]
    print_cv(runs[0])
    if args.repeats > 1:
        runs += [cross_validate(train_view, intents, SEED + i) for i in range(1, args.repeats)]
        print_repeats(runs)

    if not args.no_held_out:
        held_out = nlu_data.read_examples(nlu_data.HELD_OUT)
        test_texts, test_intents = [text for text, _ in held_out], [intent for _, intent in held_out]
        score_held_out(train_view, intents, views(test_texts, nlp), test_intents)

    if not args.no_timing:
        timing(texts, nlp)
    return 0


if __name__ == "__main__":
    if "-h" not in sys.argv and "--help" not in sys.argv:
        enter_private_netns()
    raise SystemExit(main())
