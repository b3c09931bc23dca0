"""ONNX export: [`to_onnx`][kerasguide.io.onnx.to_onnx] and a converter for skl2onnx pipelines.

The graph is written from the fitted weights with ``onnx.helper``, step for step as the NumPy
forward pass of [`KerasClassifier`][kerasguide.KerasClassifier] and
[`KerasRegressor`][kerasguide.KerasRegressor] computes: a ``Gemm`` per ``Dense`` layer, its
activation (``Relu``, ``Sigmoid``, ``Tanh``, ``Softmax``, ``Elu``, ``Softplus``,
``LeakyRelu``), nothing for ``Dropout`` (the identity at inference) and a ``Flatten`` for a
leading ``Flatten`` layer (an ``mlp`` fitted with an N-D ``input_shape`` exports with the flat
input ``X`` of ``n_features_in_`` columns). Any other layer (the convolutions and pools of a
``cnn``, the recurrent layers of an ``rnn``, ``Maxout``, batch and layer normalization) is
refused with a ``ValueError`` naming every such layer.

The graph has one input, ``X`` (float32; a float64 sample gives a float64 input, cast to float32
first), and the outputs scikit-learn's converters give: a classifier's ``label`` (the original
labels: int64 for integer classes, strings for string classes; for multilabel targets the 0/1
matrix ``predict`` returns) and ``probabilities`` (float32, as ``predict_proba``; a binary
model's two columns ``[1 - p, p]``); a regressor's ``variable``, shape ``(n, n_outputs)``, in the
units of ``y``; a [`KerasTransformer`][kerasguide.KerasTransformer]'s ``variable``, what
``transform`` returns (the layers up to ``layer_``: an autoencoder's ``code``, not its
reconstruction).

Inside a scikit-learn pipeline, convert with ``skl2onnx.to_onnx`` once
[`register_skl2onnx`][kerasguide.io.onnx.register_skl2onnx] has run.
skl2onnx turns a classifier's probabilities into a list of dicts (``ZipMap``) unless told not
to: pass ``options={id(clf): {"zipmap": False}}`` (required for multilabel targets).

```python
>>> import kerasguide, onnxruntime  # doctest: +SKIP
>>> proto = kerasguide.to_onnx(clf, X[:1].astype("float32"))  # doctest: +SKIP
>>> session = onnxruntime.InferenceSession(proto.SerializeToString())  # doctest: +SKIP
>>> label, proba = session.run(None, {"X": X.astype("float32")})  # doctest: +SKIP
```
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["register_skl2onnx", "to_onnx"]

#: The ONNX operator set of graphs made by ``to_onnx``.
OPSET = 17

#: ONNX operator (and attributes) of each activation the NumPy forward pass knows.
_ACTIVATION_OPS: dict[str, tuple[str, dict[str, Any]] | None] = {
    "linear": None,
    "relu": ("Relu", {}),
    "sigmoid": ("Sigmoid", {}),
    "softmax": ("Softmax", {"axis": -1}),
    "tanh": ("Tanh", {}),
    "elu": ("Elu", {"alpha": 1.0}),
    "softplus": ("Softplus", {}),
    "leaky_relu": ("LeakyRelu", {"alpha": 0.2}),
}


# --------------------------------------------------------------------------- the model's steps
def _steps(model) -> list[tuple[str, np.ndarray | None, np.ndarray | None, str]]:
    """``(kind, kernel, bias, activation)`` for each step; a ValueError names a foreign layer.

    The model is read as the NumPy forward pass reads it (``dense_stack``), so the graph
    computes what ``predict`` computes.
    """
    import keras

    from kerasguide._estimator.inference import (
        UnsupportedLayerError,
        dense_stack,
        unsupported_layers,
    )

    try:
        stack = dense_stack(model)
    except UnsupportedLayerError:
        # Every layer it cannot export, not only the first (a cnn has several).
        refused = "; ".join(unsupported_layers(model))
        raise ValueError(
            f"to_onnx exports keras.Sequential models of Dense, Dropout, Activation and ReLU "
            f"layers (and a leading Flatten); it cannot export {refused}. "
            f"Received: layers={[layer.name for layer in getattr(model, 'layers', [])]}"
        ) from None

    def array(variable) -> np.ndarray:
        return keras.ops.convert_to_numpy(variable).astype(np.float32)

    steps: list = []
    for kind, layer, activation in stack:
        if activation not in _ACTIVATION_OPS:
            raise ValueError(
                f"to_onnx cannot export layer {layer.name!r}: its activation {activation!r} has "
                f"no ONNX operator here ({sorted(_ACTIVATION_OPS)}). Received: {activation=}"
            )
        if kind == "dense":
            bias = array(layer.bias) if layer.use_bias else None
            steps.append(("dense", array(layer.kernel), bias, activation))
        else:
            steps.append((kind, None, None, activation))
    return steps


def _class_labels(classes) -> np.ndarray:
    """``classes_`` as an int64 or a string (object) array, as the ``label`` output holds them."""
    classes = np.asarray(classes)
    if classes.dtype.kind in "biu":
        return classes.astype(np.int64)
    if classes.dtype.kind == "f" and np.all(classes == np.round(classes)):
        return classes.astype(np.int64)
    if classes.dtype.kind in "US" or all(isinstance(c, str) for c in classes):
        return np.array([str(c) for c in classes], dtype=object)
    raise ValueError(
        "to_onnx exports integer or string class labels. "
        f"Received: classes_={classes!r} (dtype {classes.dtype})"
    )


# --------------------------------------------------------------------------- writing the graph
class _Graph:
    """Nodes and initializers of a stand-alone graph (``to_onnx``)."""

    def __init__(self) -> None:
        self.nodes: list = []
        self.initializers: list = []
        self._count = 0

    def name(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def const(self, hint: str, array: np.ndarray) -> str:
        from onnx import numpy_helper

        name = self.name(hint)
        self.initializers.append(numpy_helper.from_array(array, name))
        return name

    def node(self, op: str, inputs: list[str], output: str | None = None, **attrs) -> str:
        from onnx import helper

        output = output or self.name(op.lower())
        self.nodes.append(helper.make_node(op, inputs, [output], name=self.name(op), **attrs))
        return output


class _Container:
    """The same interface over a skl2onnx scope and container (the converter)."""

    def __init__(self, scope, container) -> None:
        self._scope, self._container = scope, container

    def name(self, hint: str) -> str:
        return self._scope.get_unique_variable_name(hint)

    def const(self, hint: str, array: np.ndarray) -> str:
        from onnx import TensorProto, helper

        name = self.name(hint)
        if array.dtype == object:
            kind, values = TensorProto.STRING, [str(v).encode() for v in array.ravel()]
        else:
            kind, values = helper.np_dtype_to_tensor_dtype(array.dtype), array.ravel().tolist()
        self._container.add_initializer(name, kind, list(array.shape), values)
        return name

    def node(self, op: str, inputs: list[str], output: str | None = None, **attrs) -> str:
        output = output or self.name(op.lower())
        version = 13 if op in ("Softmax", "Gather", "ArgMax") else None
        name = self._scope.get_unique_operator_name(op)
        self._container.add_node(op, inputs, [output], name=name, op_version=version, **attrs)
        return output


def _emit_body(g, steps, x: str) -> str:
    """The network's outputs (float32) from the float32 input ``x``."""
    out = x
    for kind, kernel, bias, activation in steps:
        if kind == "flatten":
            out = g.node("Flatten", [out], axis=1)
        elif kind == "dense":
            inputs = [out, g.const("kernel", kernel)]
            if bias is not None:
                inputs.append(g.const("bias", bias))
            out = g.node("Gemm", inputs)
        op = _ACTIVATION_OPS[activation]
        if op is not None:
            out = g.node(op[0], [out], **op[1])
    return out


def _emit(g, est, steps, x: str, outputs: list[str], *, nocl: bool = False) -> None:
    """The estimator's outputs, named ``outputs``, from the float32 input ``x``.

    ``nocl`` (skl2onnx's option): a classifier's ``label`` is the class index, not the label.
    """
    from onnx import TensorProto

    out = _emit_body(g, steps, x)
    if not _is_classifier(est):
        g.node("Identity", [out], outputs[0])
        return
    label, probabilities = outputs
    if est.task_ == "binary":
        one = g.const("one", np.ones((1, 1), dtype=np.float32))
        out = g.node("Concat", [g.node("Sub", [one, out]), out], axis=1)
    g.node("Identity", [out], probabilities)
    if est.task_ == "multilabel":
        half = g.const("half", np.full((1, 1), 0.5, dtype=np.float32))
        g.node("Cast", [g.node("Greater", [out, half])], label, to=TensorProto.INT64)
        return
    if nocl:
        g.node("ArgMax", [out], label, axis=1, keepdims=0)
        return
    index = g.node("ArgMax", [out], axis=1, keepdims=0)
    g.node("Gather", [g.const("classes", _class_labels(est.classes_)), index], label, axis=0)


# --------------------------------------------------------------------------- public functions
def _is_transformer(est) -> bool:
    return hasattr(est, "transform") and hasattr(est, "layer_")


def _is_classifier(est) -> bool:
    # A transformer trained on labels has classes_, but its output is its features.
    return hasattr(est, "classes_") and not _is_transformer(est)


def _fitted_steps(est):
    """The steps of what the estimator computes: ``predict``'s network, or, for a
    ``KerasTransformer``, the layers up to ``layer_`` (what ``transform`` returns)."""
    from sklearn.utils.validation import check_is_fitted

    from kerasguide._estimator.state import members

    check_is_fitted(est)
    table = getattr(est, "_table_", None)
    if table is not None:
        raise ValueError(
            f"to_onnx cannot export {type(est).__name__} fitted with categorical columns "
            f"({', '.join(table.categorical_names)}): the graph does not hold their categories "
            "and embeddings. To export, encode them in the pipeline instead (a "
            "ColumnTransformer with OneHotEncoder(handle_unknown='ignore'), then the estimator "
            "with categorical_features=None) and convert the pipeline with skl2onnx."
        )
    if members(est):
        # The graph would hold the first member only, and predict otherwise than est does.
        raise ValueError(
            f"to_onnx exports one network, but this {type(est).__name__} averages "
            f"{len(members(est))} (uncertainty='ensemble'); export each of its members, or fit "
            "it with uncertainty=None. Received: uncertainty='ensemble'"
        )
    if _is_classifier(est):
        _class_labels(est.classes_)  # refuses labels ONNX cannot hold before anything is built
    if _is_transformer(est):
        return _steps(est._features_.model)
    return _steps(est._model_)


def _network_estimator(est):
    """``est``, or the estimator of a pretrained model's ``Pipeline`` (``MnistPixels``, then
    the estimator): its graph takes what the network takes."""
    from kerasguide.io.pixels import MnistPixels

    steps = getattr(est, "steps", None)
    if steps is None:
        return est
    if all(isinstance(step, MnistPixels) for _, step in steps[:-1]):
        return steps[-1][1]
    raise ValueError(
        "to_onnx converts a kerasguide estimator or a pretrained model's Pipeline; convert "
        "other pipelines with skl2onnx.to_onnx after register_skl2onnx(). Received: a "
        f"Pipeline of {[type(step).__name__ for _, step in steps]}"
    )


def to_onnx(est, X_sample=None):
    """The fitted estimator as an ONNX model, computing what its ``predict`` computes.

    Parameters
    ----------
    est : KerasClassifier, KerasRegressor, KerasTransformer or a pretrained model's Pipeline
        A fitted estimator whose model is a Sequential of Dense, Dropout and activation layers
        (the ``mlp``, ``linear``, ``logistic``, ``wide`` and ``autoencoder`` models of the zoo;
        a ``KerasTransformer`` needs only the layers up to its ``layer_`` to be of those). For
        [`kerasguide.load_pretrained`][kerasguide.io.pretrained.load_pretrained]'s pipeline the
        graph is its classifier's: it takes float32 pixels in [0, 1], 784 per row, not the
        pipeline's uint8 images.
    X_sample : array-like of shape (n_samples, n_features), default=None
        Sets the input's element type: float64 rows give a float64 input ``X`` (cast to
        float32 in the graph); otherwise ``X`` is float32.

    Returns
    -------
    onnx.ModelProto
        Input ``X``; outputs ``label`` and ``probabilities`` (classifiers), ``variable``
        (regressors: ``predict``), or ``variable`` (transformers: ``transform``, shape
        ``(n, n_features_out)``, float32).

    Raises
    ------
    ValueError
        The model holds a layer (or activation) the exporter does not know; the message names
        it.
    """
    import onnx
    from onnx import TensorProto, helper

    est = _network_estimator(est)
    steps = _fitted_steps(est)
    double = X_sample is not None and np.asarray(X_sample).dtype == np.float64
    g = _Graph()
    n_in = int(est.n_features_in_)
    x = g.node("Cast", ["X"], to=TensorProto.FLOAT) if double else "X"
    kind = TensorProto.DOUBLE if double else TensorProto.FLOAT
    inputs = [helper.make_tensor_value_info("X", kind, [None, n_in])]
    outputs = [helper.make_tensor_value_info(name, kind, shape) for name, kind, shape in
               _output_types(est)]  # fmt: skip
    _emit(g, est, steps, x, [o.name for o in outputs])
    graph = helper.make_graph(g.nodes, type(est).__name__, inputs, outputs, g.initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="kerasguide")  # fmt: skip
    model.ir_version = min(model.ir_version, 9)  # what onnxruntime >= 1.17 reads
    onnx.checker.check_model(model)
    return model


def _output_types(est, *, nocl: bool = False) -> list[tuple[str, int, list]]:
    from onnx import TensorProto

    if _is_transformer(est):
        return [("variable", TensorProto.FLOAT, [None, int(est._n_features_out)])]
    if not _is_classifier(est):
        return [("variable", TensorProto.FLOAT, [None, int(est.n_outputs_)])]
    width = len(est.classes_)
    if est.task_ == "multilabel":
        label = ("label", TensorProto.INT64, [None, width])
    elif nocl:
        label = ("label", TensorProto.INT64, [None])
    else:
        strings = _class_labels(est.classes_).dtype == object
        label = ("label", TensorProto.STRING if strings else TensorProto.INT64, [None])
    return [label, ("probabilities", TensorProto.FLOAT, [None, width])]


# --------------------------------------------------------------------------- skl2onnx
def _nocl(scope, est) -> bool:
    """skl2onnx's ``nocl`` option for a classifier (as its own converters read it)."""
    if not _is_classifier(est):
        return False
    return bool(scope.get_options(est, {"nocl": False})["nocl"])


def _shape_calculator(operator) -> None:
    from onnx import TensorProto
    from skl2onnx.common.data_types import FloatTensorType, Int64TensorType, StringTensorType

    est = operator.raw_operator
    rows = operator.inputs[0].get_first_dimension()
    types = {"FLOAT": FloatTensorType, "INT64": Int64TensorType, "STRING": StringTensorType}
    declared = _output_types(est, nocl=_nocl(operator.scope_inst, est))
    for variable, (_, kind, shape) in zip(operator.outputs, declared, strict=False):
        variable.type = types[TensorProto.DataType.Name(kind)]([rows, *shape[1:]])


def _converter(scope, operator, container) -> None:
    from onnx import TensorProto
    from skl2onnx.common.data_types import FloatTensorType

    est = operator.raw_operator
    g = _Container(scope, container)
    x = operator.inputs[0].full_name
    if not isinstance(operator.inputs[0].type, FloatTensorType):
        x = g.node("Cast", [x], to=TensorProto.FLOAT)
    outputs = [o.full_name for o in operator.outputs]
    _emit(g, est, _fitted_steps(est), x, outputs, nocl=_nocl(scope, est))


def register_skl2onnx() -> None:
    """Register the estimators with skl2onnx, so that ``skl2onnx.to_onnx`` converts pipelines.

    A classifier gets skl2onnx's ``zipmap`` option (default ``True``: the probabilities as a list
    of dicts); pass ``options={id(clf): {"zipmap": False}}`` for the ``probabilities`` tensor.
    It also takes ``nocl``, as scikit-learn's classifiers do there: with ``{"nocl": True}`` the
    ``label`` output (and the zipmap's keys) are the class indices ``0 .. n_classes - 1``
    (int64), not ``classes_``. A ``KerasTransformer`` converts to its ``transform``
    (one output, ``variable``). Calling it again is harmless.
    """
    from skl2onnx import update_registered_converter

    from kerasguide.estimators import KerasClassifier, KerasRegressor
    from kerasguide.transformer import KerasTransformer

    classifier_options = {"zipmap": [True, False, "columns"], "nocl": [True, False]}
    update_registered_converter(
        KerasClassifier, "KerasGuideKerasClassifier", _shape_calculator, _converter,
        options=classifier_options,
    )  # fmt: skip
    update_registered_converter(
        KerasRegressor, "KerasGuideKerasRegressor", _shape_calculator, _converter
    )
    update_registered_converter(
        KerasTransformer, "KerasGuideKerasTransformer", _shape_calculator, _converter
    )
