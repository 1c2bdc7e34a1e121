"""Rasa's command line as the project runs it (`python -m bot.rasa_cli ARGS` = `rasa ARGS`),
with two changes to the process and none to Rasa's behaviour:

- readable output: deprecation warnings that pinned third-party packages raise (pkg_resources,
  click, pyparsing, jax, distutils …) are not shown; warnings from the project's own code,
  and every other kind of warning, still are. A filter in `warnings.showwarning` rather than
  a `warnings.filterwarnings` entry, because Rasa adds its own filters at start-up ("once"
  for every UserWarning, which pyparsing's deprecation warnings are too) in front of any
  filter set before it;
- speed: Rasa checks every reply of the action server with `jsonschema.validate`, which
  checks the *schema* against its meta-schema on every call as well: about a third of the
  Rasa server's CPU time per message (profiled with py-spy, docs/performance.md). The
  schema is now checked once and its validator kept; replies are still validated in full;
- speed: to turn a stored or received event back into an object, Rasa looks its class up by
  walking the whole tree of `Event` subclasses, for every event: about 40 % of reading a
  tracker from the SQL store. The class found for each type name is now remembered (a type
  name that is not found is still looked up every time, and still raises as before);
- speed: DIET and TED run their TensorFlow graph through a `tf.function` with a fixed input
  signature, and every call matches the batch against that signature again (about 1.3 ms
  per call with their 20–40 inputs, 3–5 calls per message). Once traced, the graph is
  called directly with the batch's tensors, after a cheap check that each input still has
  the signature's type, rank and last dimension; anything else goes the usual way;
- speed: Python's garbage collector runs a full collection over every object the process
  holds (the models, TensorFlow: millions of objects) every so many allocations, and Rasa
  allocates a lot per message. The collector now runs less often (GC_THRESHOLDS), and
  once the model is loaded everything alive is moved out of its sight (`gc.freeze`), so a
  collection only walks what messages create.
"""

from __future__ import annotations

import gc
import json
import sys
import warnings
from pathlib import Path
from typing import Any, TextIO

import jsonschema
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_DEPRECATIONS = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)
_OWN_CODE = tuple(
    str(PROJECT_ROOT / room) for room in ("bot", "actions", "policies", "classifiers", "scripts", "tests")
)


def is_third_party_deprecation(category: type[Warning], filename: str) -> bool:
    """A deprecation warning attributed to a file outside the project's own code."""
    return issubclass(category, _DEPRECATIONS) and not str(Path(filename).resolve()).startswith(_OWN_CODE)


def hide_third_party_deprecations() -> None:
    """Installs the filter in this process (idempotent)."""
    shown = warnings.showwarning
    if getattr(shown, "hides_third_party_deprecations", False):
        return

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        if not is_third_party_deprecation(category, filename):
            shown(message, category, filename, lineno, file, line)

    show.hides_third_party_deprecations = True  # type: ignore[attr-defined]
    warnings.showwarning = show


_original_validate = jsonschema.validate
_validators: dict[str, Any] = {}
_MAX_SCHEMAS = 64  # Rasa uses a handful of fixed schemas; anything beyond is not cached


def validate_with_checked_schema(
    instance: Any, schema: Any, cls: Any = None, *args: Any, **kwargs: Any
) -> None:
    """`jsonschema.validate` with the schema check done once per distinct schema."""
    if cls is not None or args or kwargs:
        _original_validate(instance, schema, cls, *args, **kwargs)
        return
    key = json.dumps(schema, sort_keys=True, default=repr)
    validator = _validators.get(key)
    if validator is None:
        kind = validator_for(schema)
        kind.check_schema(schema)
        validator = kind(schema)
        if len(_validators) < _MAX_SCHEMAS:
            _validators[key] = validator
    error = best_match(validator.iter_errors(instance))
    if error is not None:
        raise error


def check_schemas_once() -> None:
    """Installs the cached schema check in this process (Rasa imports `validate` at call time)."""
    jsonschema.validate = validate_with_checked_schema


def remember_event_classes() -> None:
    """Installs the remembered look-up of event classes by type name (idempotent)."""
    from rasa.shared.core.events import Event

    resolve = Event.resolve_by_type
    if getattr(resolve, "remembers_classes", False):
        return
    found: dict[str, type[Event]] = {}

    def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
        known = found.get(type_name)
        if known is not None:
            return known
        # Ask without the default, so that only a class that really has this name is kept.
        try:
            event_class = resolve(type_name)
        except ValueError:
            return resolve(type_name, default)
        if event_class is not None:
            found[type_name] = event_class
        return event_class

    resolve_by_type.remembers_classes = True  # type: ignore[attr-defined]
    Event.resolve_by_type = staticmethod(resolve_by_type)


class DirectGraphCall:
    """Calls the traced graph of a `tf.function` with a fixed input signature directly.

    Rasa's models call `predict_step(batch_in)`, `batch_in` a tuple of arrays, through a
    `tf.function` whose signature fixes each input's type, rank and last dimension. This
    takes the function's one concrete graph and feeds it the tensors; a batch that does not
    match the signature, or a graph that can't be called this way, uses the function as
    Rasa does.
    """

    def __init__(self, function: Any) -> None:
        self.function = function
        self.graph: Any = None
        self.inputs: list[tuple[Any, int, int | None]] = []
        self.usable = True

    def _prepare(self) -> None:
        import tensorflow as tf

        self.graph = self.function.get_concrete_function()
        specs = tf.nest.flatten(self.graph.structured_input_signature[0])
        self.inputs = [(spec.dtype.as_numpy_dtype, spec.shape.rank, spec.shape[-1]) for spec in specs]

    def matches(self, batch_in: Any) -> bool:
        return len(batch_in) == len(self.inputs) and all(
            array.dtype == dtype and array.ndim == rank and (last is None or array.shape[-1] == last)
            for array, (dtype, rank, last) in zip(batch_in, self.inputs, strict=True)
        )

    def __call__(self, batch_in: Any) -> Any:
        if self.usable:
            try:
                if self.graph is None:
                    self._prepare()
                if self.matches(batch_in):
                    import tensorflow as tf

                    tensors = [tf.convert_to_tensor(array) for array in batch_in]
                    return self.graph._call_flat(tensors, self.graph.captured_inputs)
            except (AttributeError, TypeError, ValueError):
                self.usable = False  # this TensorFlow has no such graph: the usual way from now on
        return self.function(batch_in)


def call_graphs_directly() -> None:
    """Installs `DirectGraphCall` for the models' prediction step (idempotent)."""
    from rasa.utils.tensorflow.models import RasaModel

    predict = RasaModel._rasa_predict
    if getattr(predict, "calls_graphs_directly", False):
        return

    def _rasa_predict(self: Any, batch_in: Any) -> Any:
        step = self._tf_predict_step
        if step is not None and not isinstance(step, DirectGraphCall) and not self._run_eagerly:
            self._tf_predict_step = DirectGraphCall(step)
        return predict(self, batch_in)

    _rasa_predict.calls_graphs_directly = True  # type: ignore[attr-defined]
    RasaModel._rasa_predict = _rasa_predict


# Python's defaults are (700, 10, 10): a young collection every 700 allocations net.
GC_THRESHOLDS = (20_000, 20, 20)


def fewer_garbage_collections() -> None:
    """Installs GC_THRESHOLDS, and `gc.freeze()` once Rasa has loaded its model (idempotent)."""
    gc.set_threshold(*GC_THRESHOLDS)
    from rasa.core import run

    load = run.load_agent_on_start
    if getattr(load, "freezes_after_loading", False):
        return

    async def load_agent_on_start(*args: Any, **kwargs: Any) -> Any:
        agent = await load(*args, **kwargs)
        gc.collect()
        gc.freeze()
        return agent

    load_agent_on_start.freezes_after_loading = True  # type: ignore[attr-defined]
    run.load_agent_on_start = load_agent_on_start


def run_rasa(argv: list[str]) -> int:
    """Rasa's own command line (`rasa ARGS`) with the filter and the caches installed first."""
    hide_third_party_deprecations()
    check_schemas_once()
    remember_event_classes()
    call_graphs_directly()
    fewer_garbage_collections()
    from rasa.__main__ import main

    sys.argv = ["rasa", *argv]
    main()
    return 0


if __name__ == "__main__":
    raise SystemExit(run_rasa(sys.argv[1:]))
