"""The intent classifier of the pipeline: TF-IDF features and a linear model.

With about 2,300 training examples and no pretrained Dutch language model on these
machines, a linear model on word and character n-grams classifies intents better than
DIET in cross-validation (docs/nlu.md), so DIET only finds the entities. Before the
n-grams are counted, what varies without changing the intent is replaced by a fixed word
("delexicalised"): matches of the training data's regexes (e-mail, phone, KvK number)
and lookup tables (municipalities and villages) by the regex's or table's name, and other
numbers by `getal`. "Bel me op 06 12345678" and "bel me op 0592 123456" then look alike.

The trained model is stored as plain arrays and JSON (vocabularies, idf weights, the
coefficients), not as a pickle: loading a model never runs code from it.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

NUMBER_WORD = "getal"
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# (analyzer, n-gram range) of the two vectorizers: whole words and pairs, pieces of words.
VECTORIZERS = {"words": ("word", (1, 2)), "chars": ("char_wb", (2, 5))}
RANKING_LENGTH = 10


class Delexicaliser:
    """Replaces regex and lookup matches by their name, and numbers by `getal`."""

    def __init__(self, patterns: list[tuple[str, str]]) -> None:
        # (placeholder word, regex). One scan from left to right: the match that starts
        # first wins, so the digits of a phone number are not taken for a KvK number.
        self.patterns = patterns
        self._words = {f"p{index}": f" {word} " for index, (word, _) in enumerate(patterns)}
        self._combined = (
            re.compile(
                "|".join(f"(?P<p{index}>{pattern})" for index, (_, pattern) in enumerate(patterns)),
                re.IGNORECASE,
            )
            if patterns
            else None
        )

    def _word_for(self, match: re.Match[str]) -> str:
        return next(self._words[name] for name, text in match.groupdict().items() if text is not None)

    @classmethod
    def from_training_data(cls, training_data: TrainingData) -> Delexicaliser:
        patterns: list[tuple[str, str]] = []
        for regex in training_data.regex_features:
            patterns.append((placeholder(regex["name"]), regex["pattern"]))
        for table in training_data.lookup_tables:
            elements = table["elements"]
            if isinstance(elements, str):
                continue  # a file reference: Rasa has already read the tables it loads
            names = sorted(
                {str(element).strip() for element in elements if str(element).strip()}, key=len, reverse=True
            )
            if names:
                patterns.append(
                    (placeholder(table["name"]), r"\b(?:" + "|".join(map(re.escape, names)) + r")\b")
                )
        return cls(patterns)

    def __call__(self, text: str) -> str:
        if self._combined is not None:
            text = self._combined.sub(self._word_for, text)
        return _NUMBER.sub(f" {NUMBER_WORD} ", text).lower()


def placeholder(name: str) -> str:
    """The word that stands in for a match: letters only, so the tokenizers keep it whole."""
    return "x" + re.sub(r"[^a-z]", "", name.lower()) + "x"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(IntentClassifier, GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # C was chosen by cross-validation (docs/nlu.md); liblinear fits one-vs-rest.
        return {"C": 100.0, "random_seed": 2021}

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn"]

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        # Rasa's training cache knows the config, not the code: a change to this file
        # must train the classifier again instead of reusing a cached one.
        return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.delexicalise = Delexicaliser([])
        self.vectorizers: dict[str, TfidfVectorizer] = {}
        self.intents: list[str] = []
        self.coef = np.zeros((0, 0))
        self.intercept = np.zeros(0)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    # -- training -------------------------------------------------------------------------

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            return self._resource
        self.delexicalise = Delexicaliser.from_training_data(training_data)
        texts = [self.delexicalise(e.get(TEXT)) for e in examples]
        self.vectorizers = {
            name: TfidfVectorizer(analyzer=analyzer, ngram_range=ngrams, sublinear_tf=True, dtype=np.float64)
            for name, (analyzer, ngrams) in VECTORIZERS.items()
        }
        features = sp.hstack(
            [vectorizer.fit_transform(texts) for vectorizer in self.vectorizers.values()]
        ).tocsr()
        model = LogisticRegression(
            C=self.config["C"], solver="liblinear", max_iter=10_000, random_state=self.config["random_seed"]
        ).fit(features, [e.get(INTENT) for e in examples])
        self.intents = [str(name) for name in model.classes_]
        self.coef, self.intercept = model.coef_, model.intercept_
        if len(self.intents) == 2:  # liblinear keeps one row for two classes
            self.coef = np.vstack([-self.coef, self.coef])
            self.intercept = np.concatenate([-self.intercept, self.intercept])
        self.persist()
        return self._resource

    # -- classifying ----------------------------------------------------------------------

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """One row per text: the probability of each intent (one-vs-rest, normalised)."""
        clean = [self.delexicalise(text) for text in texts]
        features = sp.hstack(
            [vectorizer.transform(clean) for vectorizer in self.vectorizers.values()]
        ).tocsr()
        scores = 1.0 / (1.0 + np.exp(-(features @ self.coef.T + self.intercept)))
        return scores / scores.sum(axis=1, keepdims=True)

    def process(self, messages: list[Message]) -> list[Message]:
        if not self.intents:
            return messages
        texts = [message.get(TEXT) or "" for message in messages]
        for message, row in zip(messages, self.probabilities(texts), strict=True):
            order = np.argsort(-row)[:RANKING_LENGTH]
            ranking = [{"name": self.intents[i], "confidence": float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages

    # -- storage ----------------------------------------------------------------------------

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as folder:
            vocabularies = {
                name: {term: int(index) for term, index in vectorizer.vocabulary_.items()}
                for name, vectorizer in self.vectorizers.items()
            }
            meta = {
                "intents": self.intents,
                "patterns": self.delexicalise.patterns,
                "vocabularies": vocabularies,
            }
            (folder / "model.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
            arrays = {f"idf_{name}": vectorizer.idf_ for name, vectorizer in self.vectorizers.items()}
            np.savez(folder / "weights.npz", coef=self.coef, intercept=self.intercept, **arrays)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as folder:
                meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
                with np.load(folder / "weights.npz", allow_pickle=False) as weights:
                    component.coef, component.intercept = weights["coef"], weights["intercept"]
                    for name, (analyzer, ngrams) in VECTORIZERS.items():
                        vectorizer = TfidfVectorizer(analyzer=analyzer, ngram_range=ngrams, sublinear_tf=True)
                        vectorizer.vocabulary_ = meta["vocabularies"][name]
                        vectorizer.idf_ = weights[f"idf_{name}"]
                        component.vectorizers[name] = vectorizer
        except ValueError:
            return component  # nothing trained (no intent examples): classifies nothing
        component.intents = meta["intents"]
        component.delexicalise = Delexicaliser([tuple(pattern) for pattern in meta["patterns"]])
        return component
