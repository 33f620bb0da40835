"""Parity fixtures for the NN layers, activations and init helpers.

Writes tests/Dendrite.Tests/Parity/Fixtures/layers.json. Run: /usr/bin/python3 tools/parity/layers.py

Each layer case holds the input, the weights, a fixed random upstream gradient ("upstream"), and what
PyTorch computes: the output, the input's gradient and the weights' gradients. Maxout and FeatureMap
have no PyTorch module, so they are built here from torch ops exactly as Dendrite defines them.
"""
import math

import torch
import torch.nn.functional as F

from fixture import case, write

torch.manual_seed(20240601)
cases = []


def grads(output, upstream, *leaves):
    output.backward(upstream)
    return [leaf.grad for leaf in leaves]


def linear_case(name, in_f, out_f, lead, bias=True):
    layer = torch.nn.Linear(in_f, out_f, bias=bias)
    x = torch.randn(*lead, in_f, requires_grad=True)
    y = layer(x)
    up = torch.randn_like(y)
    y.backward(up)
    t = {"input": x, "weight": layer.weight, "output": y, "upstream": up,
         "input_grad": x.grad, "weight_grad": layer.weight.grad}
    if bias:
        t["bias"] = layer.bias
        t["bias_grad"] = layer.bias.grad
    cases.append(case(name, t, kind="linear", in_features=in_f, out_features=out_f, bias=bias))


linear_case("linear 2d", 4, 3, [5])
linear_case("linear no bias", 4, 3, [5], bias=False)
linear_case("linear 3d input", 6, 2, [2, 3])
linear_case("linear 1d input", 5, 4, [])


def spiky(*shape, scale=3.0):
    """Random values with exact zeros sprinkled in, to pin down each activation's convention at 0."""
    x = torch.randn(*shape) * scale
    x.view(-1)[::7] = 0.0
    return x


def activation_case(name, fn, x, **attrs):
    x = x.clone().requires_grad_(True)
    y = fn(x)
    up = torch.randn_like(y)
    (gx,) = grads(y, up, x)
    cases.append(case(name, {"input": x, "output": y, "upstream": up, "input_grad": gx}, kind="activation", **attrs))


activation_case("identity", lambda x: torch.nn.Identity()(x), spiky(3, 4), activation="identity")
activation_case("sigmoid", torch.sigmoid, spiky(3, 5), activation="sigmoid")
activation_case("sigmoid large", torch.sigmoid, torch.tensor([-100.0, -30.0, -5.0, 0.0, 5.0, 30.0, 100.0]), activation="sigmoid")
activation_case("tanh", torch.tanh, spiky(3, 5), activation="tanh")
activation_case("tanh large", torch.tanh, torch.tensor([-50.0, -10.0, -0.5, 0.0, 0.5, 10.0, 50.0]), activation="tanh")
activation_case("relu", F.relu, spiky(4, 5), activation="relu")
for slope in [0.01, 0.2, -0.5]:
    activation_case(f"leaky_relu slope {slope}", lambda x, s=slope: F.leaky_relu(x, s), spiky(4, 5),
                    activation="leaky_relu", slope=slope)
activation_case("leaky_relu default", lambda x: torch.nn.LeakyReLU()(x), spiky(2, 6), activation="leaky_relu", slope=0.01)
activation_case("softmax dim 1", lambda x: F.softmax(x, 1), torch.randn(3, 5), activation="softmax", axis=1)
activation_case("softmax dim 0 3d", lambda x: F.softmax(x, 0), torch.randn(4, 2, 3), activation="softmax", axis=0)
activation_case("softmax large", lambda x: F.softmax(x, -1), torch.randn(3, 6) * 400, activation="softmax", axis=-1)
activation_case("log_softmax dim 1", lambda x: F.log_softmax(x, 1), torch.randn(3, 5), activation="log_softmax", axis=1)
activation_case("log_softmax large", lambda x: F.log_softmax(x, -1), torch.randn(3, 6) * 400, activation="log_softmax", axis=-1)
activation_case("log_softmax middle axis", lambda x: F.log_softmax(x, 1), torch.randn(2, 4, 3) * 20, activation="log_softmax", axis=1)

# The Heaviside step has no gradient; compare the forward pass only (H(0) = 0).
x = spiky(3, 4)
cases.append(case("step", {"input": x, "output": torch.heaviside(x, torch.tensor(0.0))}, kind="step"))


def maxout_case(name, in_f, out_f, pieces, lead, bias=True):
    bound = 1 / math.sqrt(in_f)
    w = (torch.rand(out_f * pieces, in_f) * 2 - 1) * bound
    w.requires_grad_(True)
    b = ((torch.rand(out_f * pieces) * 2 - 1) * bound).requires_grad_(True) if bias else None
    x = torch.randn(*lead, in_f, requires_grad=True)
    z = F.linear(x, w, b)
    y = z.view(*z.shape[:-1], out_f, pieces).max(-1).values
    up = torch.randn_like(y)
    y.backward(up)
    t = {"input": x, "weight": w, "output": y, "upstream": up, "input_grad": x.grad, "weight_grad": w.grad}
    if bias:
        t["bias"] = b
        t["bias_grad"] = b.grad
    cases.append(case(name, t, kind="maxout", in_features=in_f, out_features=out_f, pieces=pieces, bias=bias))


maxout_case("maxout", 4, 3, 2, [6])
maxout_case("maxout 3 pieces 3d input", 5, 2, 3, [2, 4])
maxout_case("maxout no bias", 3, 4, 4, [5], bias=False)


def flatten_case(name, shape, start, end):
    x = torch.randn(*shape, requires_grad=True)
    y = torch.nn.Flatten(start, end)(x)
    up = torch.randn_like(y)
    (gx,) = grads(y, up, x)
    cases.append(case(name, {"input": x, "output": y, "upstream": up, "input_grad": gx},
                      kind="flatten", start=start, end=end))


flatten_case("flatten default", [2, 3, 4, 2], 1, -1)
flatten_case("flatten middle", [2, 3, 4, 2], 1, 2)
flatten_case("flatten all", [3, 2, 2], 0, -1)

FEATURES = {
    "X1": lambda a, b: a,
    "X2": lambda a, b: b,
    "X1Squared": lambda a, b: a * a,
    "X2Squared": lambda a, b: b * b,
    "X1X2": lambda a, b: a * b,
    "SinX1": lambda a, b: torch.sin(a),
    "SinX2": lambda a, b: torch.sin(b),
}


def feature_case(name, features):
    x = (torch.randn(7, 2) * 2).requires_grad_(True)
    a, b = x[:, 0:1], x[:, 1:2]
    order = [f for f in FEATURES if f in features]
    y = torch.cat([FEATURES[f](a, b) for f in order], 1)
    up = torch.randn_like(y)
    (gx,) = grads(y, up, x)
    cases.append(case(name, {"input": x, "output": y, "upstream": up, "input_grad": gx},
                      kind="feature_map", features=order))


feature_case("feature map course phi", ["X1", "X2", "X1X2"])
feature_case("feature map all", list(FEATURES))
feature_case("feature map squares and sines", ["SinX2", "X1Squared", "X2Squared", "SinX1"])

# Init: the deterministic parts (fans and gains); the random draws are checked statistically in C#.
for shape in [[3, 5], [8, 4, 3, 3], [6, 2, 5], [2, 3, 2, 2, 2], [1, 1]]:
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))
    cases.append(case("fan " + "x".join(map(str, shape)), {}, kind="fan", shape=shape, fan_in=fan_in, fan_out=fan_out))
for nonlinearity, param in [("linear", None), ("conv2d", None), ("conv_transpose3d", None), ("sigmoid", None),
                            ("tanh", None), ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2),
                            ("leaky_relu", math.sqrt(5)), ("leaky_relu", 0.0), ("selu", None)]:
    gain = torch.nn.init.calculate_gain(nonlinearity, param)
    attrs = {"nonlinearity": nonlinearity, "gain": gain}
    if param is not None:
        attrs["param"] = param
    cases.append(case(f"gain {nonlinearity} {param}", {}, kind="gain", **attrs))

# Linear's default bounds: weight and bias must lie in [-1/sqrt(in), 1/sqrt(in)]; PyTorch's own layer shows it.
layer = torch.nn.Linear(9, 300)
cases.append(case("linear default init bound", {}, kind="init_bound", in_features=9, out_features=300,
                  weight_max=float(layer.weight.abs().max()), bias_max=float(layer.bias.abs().max()),
                  bound=1 / math.sqrt(9)))

write("layers.json", "tools/parity/layers.py", cases)
