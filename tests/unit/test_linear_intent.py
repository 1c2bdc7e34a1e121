"""The pipeline's intent classifier (classifiers/linear_intent.py), trained on the real
training data the way Rasa's graph trains it: its probabilities are scikit-learn's,
it survives storing and loading without a pickle, and it sees through numbers, e-mail
addresses, phone numbers and place names."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.linear_model import LogisticRegression

from classifiers.linear_intent import RANKING_LENGTH, Delexicaliser, LinearIntentClassifier, placeholder

ROOT = Path(__file__).resolve().parents[2]
CONTEXT = ExecutionContext(GraphSchema({}), "test")


def make(storage_dir: Path, resource: Resource) -> LinearIntentClassifier:
    config = LinearIntentClassifier.get_default_config()
    return LinearIntentClassifier.create(config, LocalModelStorage(storage_dir), resource, CONTEXT)


@pytest.fixture(scope="module")
def training_data() -> TrainingData:
    return load_data(str(ROOT / "data" / "nlu"))


@pytest.fixture(scope="module")
def trained(training_data, tmp_path_factory) -> tuple[LinearIntentClassifier, Path, Resource]:
    folder, resource = tmp_path_factory.mktemp("linear-intent"), Resource("linear_intent")
    classifier = make(folder, resource)
    classifier.train(training_data)
    return classifier, folder, resource


def parse(classifier: LinearIntentClassifier, text: str) -> Message:
    message = Message(data={"text": text})
    classifier.process([message])
    return message


def test_probabilities_are_those_of_scikit_learns_logistic_regression(trained, training_data):
    classifier, _, _ = trained
    examples = [e for e in training_data.intent_examples if e.get("intent") and e.get("text")]
    texts = [classifier.delexicalise(e.get("text")) for e in examples]
    features = sp.hstack([v.transform(texts) for v in classifier.vectorizers.values()]).tocsr()
    reference = LogisticRegression(C=100.0, solver="liblinear", max_iter=10_000, random_state=2021)
    reference.fit(features, [e.get("intent") for e in examples])

    probe = ["ik wil een webshop beginnen", "kan ik een afspraak maken met iemand", "hallo", "wat is de NOW?"]
    expected = reference.predict_proba(
        sp.hstack(
            [
                v.transform([classifier.delexicalise(t) for t in probe])
                for v in classifier.vectorizers.values()
            ]
        )
    )
    assert list(reference.classes_) == classifier.intents
    np.testing.assert_allclose(classifier.probabilities(probe), expected, rtol=1e-5, atol=1e-9)


def test_everyday_messages_get_their_intent_and_a_sorted_ranking(trained):
    classifier, _, _ = trained
    cases = {
        "Ik wil een eigen bedrijf beginnen, waar moet ik beginnen?": "ask_start",
        "Ik wil graag een afspraak met een adviseur": "request_advisor",
        "Welke regelingen zijn er voor de coronacrisis, zoals de NOW?": "ask_corona_scheme",
        "Wij willen gaan exporteren naar Duitsland": "ask_export",
        "dank je wel": "thank",
    }
    for text, intent in cases.items():
        message = parse(classifier, text)
        ranking = message.get("intent_ranking")
        assert message.get("intent")["name"] == intent, (text, ranking[:3])
        assert message.get("intent") == ranking[0]
        assert len(ranking) == RANKING_LENGTH
        confidences = [item["confidence"] for item in ranking]
        assert confidences == sorted(confidences, reverse=True)
        assert 0 < sum(confidences) <= 1 + 1e-9
        assert message.as_dict_nlu()["intent"]["name"] == intent  # in Rasa's parse output


def test_a_stored_model_loads_without_pickles_and_classifies_the_same(trained):
    classifier, folder, resource = trained
    stored = folder / resource.name
    assert sorted(path.name for path in stored.iterdir()) == ["model.json", "weights.npz"]
    json.loads((stored / "model.json").read_text(encoding="utf-8"))
    with np.load(stored / "weights.npz", allow_pickle=False) as weights:
        assert weights["coef"].shape == (len(classifier.intents), weights["coef"].shape[1])

    loaded = LinearIntentClassifier.load(
        LinearIntentClassifier.get_default_config(), LocalModelStorage(folder), resource, CONTEXT
    )
    texts = [
        "Mijn e-mailadres is piet@example.org",
        "Bel me maar op 06 12345678",
        "ik heb een camping in Dwingeloo",
    ]
    np.testing.assert_array_equal(loaded.probabilities(texts), classifier.probabilities(texts))
    assert loaded.delexicalise.patterns == classifier.delexicalise.patterns


def test_numbers_contacts_and_places_are_replaced_by_their_kind(trained):
    delexicalise = trained[0].delexicalise
    assert delexicalise("Mail naar Piet.Jansen@example.org") == f"mail naar  {placeholder('email')} "
    assert delexicalise("bel 06-12345678 of 0592 123456").split() == ["bel", "xphonex", "of", "xphonex"]
    assert delexicalise("KvK 12345678").split() == ["kvk", "xkvknumberx"]
    assert delexicalise("we zitten in Beilen, Emmen en de Wolden").split() == [
        "we",
        "zitten",
        "in",
        "xmunicipalityx",
        ",",
        "xmunicipalityx",
        "en",
        "xmunicipalityx",
    ]
    assert delexicalise("we zijn met 12 mensen en hebben 40.000 euro nodig").split() == [
        "we",
        "zijn",
        "met",
        "getal",
        "mensen",
        "en",
        "hebben",
        "getal",
        "euro",
        "nodig",
    ]
    # Words that merely contain a place name stay as they are.
    assert delexicalise("Emmenaar") == "emmenaar"


def test_two_phone_numbers_look_the_same_to_the_classifier(trained):
    classifier = trained[0]
    one, other = classifier.probabilities(["Bel me op 06 12345678", "bel me op 0592 123456"])
    np.testing.assert_allclose(one, other)


def test_without_intent_examples_it_learns_nothing_and_leaves_messages_alone(tmp_path):
    resource = Resource("empty")
    classifier = make(tmp_path, resource)
    classifier.train(TrainingData())
    message = parse(classifier, "hallo")
    assert message.get("intent") is None

    loaded = LinearIntentClassifier.load({}, LocalModelStorage(tmp_path), resource, CONTEXT)
    assert loaded.intents == []
    assert parse(loaded, "hallo").get("intent") is None


def test_the_delexicaliser_takes_regexes_and_lookup_tables_from_the_training_data():
    data = TrainingData(
        regex_features=[{"name": "order-nr", "pattern": r"\bNR\d{3}\b"}],
        lookup_tables=[{"name": "fruit", "elements": ["peer", "appel", " "]}],
    )
    delexicalise = Delexicaliser.from_training_data(data)
    assert delexicalise.patterns[0] == ("xordernrx", r"\bNR\d{3}\b")
    assert delexicalise("bestelling nr123: appel, Peer en peren").split() == [
        "bestelling",
        "xordernrx",
        ":",
        "xfruitx",
        ",",
        "xfruitx",
        "en",
        "peren",
    ]


def test_the_training_cache_sees_a_change_to_the_classifiers_code(monkeypatch, tmp_path):
    import classifiers.linear_intent as module

    today = LinearIntentClassifier.fingerprint_addon({})
    changed = tmp_path / "linear_intent.py"
    changed.write_text(Path(module.__file__).read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    monkeypatch.setattr(module, "__file__", str(changed))
    assert LinearIntentClassifier.fingerprint_addon({}) not in (None, today)
