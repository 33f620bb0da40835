"""PyTorch reference values for Dendrite's optimizers, LR schedulers and gradient clipping.

Optimizers: two parameters w [3,2] and b [4], three fixed gradients each (b has none on step 2, so it is
skipped there and its step count lags), and both parameters after every step.
Schedulers: the learning rate after each of 12 scheduler steps (plateau: for a fixed metric sequence).
Clipping: gradients before and after, and the returned total norm.
Parameter groups: each optimizer with w and b in two groups of different lr, weight decay and one more
setting; StepLR, CosineAnnealingLR and ReduceLROnPlateau over two groups with different base rates.
Run: /usr/bin/python3 tools/parity/optimizers.py
"""
import math

import torch

from fixture import case, write

torch.manual_seed(4321)
cases = []

OPTIMIZERS = [
    ("sgd", torch.optim.SGD, dict(lr=0.1)),
    ("sgd", torch.optim.SGD, dict(lr=0.1, momentum=0.9)),
    ("sgd", torch.optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0.3)),
    ("sgd", torch.optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("sgd", torch.optim.SGD, dict(lr=0.05, momentum=0.5, weight_decay=0.1)),
    ("sgd", torch.optim.SGD, dict(lr=0.05, momentum=0.8, weight_decay=0.01, nesterov=True)),
    ("adagrad", torch.optim.Adagrad, dict(lr=0.1)),
    ("adagrad", torch.optim.Adagrad, dict(lr=0.1, lr_decay=0.5, weight_decay=0.1, initial_accumulator_value=0.2)),
    ("adagrad", torch.optim.Adagrad, dict(lr=0.05, eps=1e-3)),
    ("rmsprop", torch.optim.RMSprop, dict(lr=0.01)),
    ("rmsprop", torch.optim.RMSprop, dict(lr=0.01, alpha=0.9, weight_decay=0.1)),
    ("rmsprop", torch.optim.RMSprop, dict(lr=0.01, momentum=0.9)),
    ("rmsprop", torch.optim.RMSprop, dict(lr=0.01, centered=True)),
    ("rmsprop", torch.optim.RMSprop, dict(lr=0.01, momentum=0.5, centered=True, eps=1e-4)),
    ("adam", torch.optim.Adam, dict(lr=1e-3)),
    ("adam", torch.optim.Adam, dict(lr=0.1, betas=(0.8, 0.99))),
    ("adam", torch.optim.Adam, dict(lr=0.01, weight_decay=0.1)),
    ("adam", torch.optim.Adam, dict(lr=0.01, amsgrad=True)),
    ("adam", torch.optim.Adam, dict(lr=0.01, eps=1e-3, weight_decay=0.05, amsgrad=True)),
    ("adamw", torch.optim.AdamW, dict(lr=1e-3)),
    ("adamw", torch.optim.AdamW, dict(lr=0.1, weight_decay=0.1)),
    ("adamw", torch.optim.AdamW, dict(lr=0.01, betas=(0.5, 0.9), weight_decay=0.3, amsgrad=True)),
]

w0 = torch.randn(3, 2)
b0 = torch.randn(4)
# Gradients of different scales per step, so amsgrad's running max and centered averages matter.
gw = [torch.randn(3, 2) * s for s in (1.0, 0.3, 2.0)]
gb = [torch.randn(4) * s for s in (0.5, 1.0, 1.5)]


def attrs_of(opts):
    a = {k: v for k, v in opts.items() if k != "betas"}
    if "betas" in opts:
        a["beta1"], a["beta2"] = opts["betas"]
    for k in list(a):
        if isinstance(a[k], bool):
            a[k] = int(a[k])
    return a


def three_steps(make_optimizer):
    """Three steps from w0, b0 with the gradients above; the tensors of the case."""
    w = torch.nn.Parameter(w0.clone())
    b = torch.nn.Parameter(b0.clone())
    opt = make_optimizer(w, b)
    tensors = {"w0": w0, "b0": b0}
    for step in range(3):
        w.grad = gw[step].clone()
        b.grad = None if step == 1 else gb[step].clone()  # b is skipped on step 2
        opt.step()
        tensors[f"gw{step + 1}"] = gw[step]
        if step != 1:
            tensors[f"gb{step + 1}"] = gb[step]
        tensors[f"w{step + 1}"] = w.detach().clone()
        tensors[f"b{step + 1}"] = b.detach().clone()
    return tensors


for kind, cls, opts in OPTIMIZERS:
    tensors = three_steps(lambda w, b: cls([w, b], **opts))
    name = kind + " " + ",".join(f"{k}={v}" for k, v in opts.items())
    cases.append(case(name, tensors, kind=kind, **attrs_of(opts)))

# Schedulers: SGD at lr 0.1, 12 epochs.
SCHEDULERS = [
    ("step", dict(step_size=3, gamma=0.5), lambda o, a: torch.optim.lr_scheduler.StepLR(o, a["step_size"], a["gamma"])),
    ("step", dict(step_size=1, gamma=0.9), lambda o, a: torch.optim.lr_scheduler.StepLR(o, a["step_size"], a["gamma"])),
    ("exponential", dict(gamma=0.8), lambda o, a: torch.optim.lr_scheduler.ExponentialLR(o, a["gamma"])),
    ("cosine", dict(t_max=10, eta_min=0.0), lambda o, a: torch.optim.lr_scheduler.CosineAnnealingLR(o, a["t_max"], a["eta_min"])),
    ("cosine", dict(t_max=5, eta_min=0.01), lambda o, a: torch.optim.lr_scheduler.CosineAnnealingLR(o, a["t_max"], a["eta_min"])),
]
for kind, args, make in SCHEDULERS:
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    sched = make(opt, args)
    lrs = []
    for _ in range(12):
        opt.step()
        sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    cases.append(case(f"scheduler {kind} " + ",".join(f"{k}={v}" for k, v in args.items()), {}, kind=kind, lr=0.1, lrs=lrs, **args))

metrics = [1.0, 0.9, 0.95, 0.9, 0.91, 0.92, 0.93, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]
PLATEAU = [
    dict(mode="min", factor=0.5, patience=2, threshold=1e-4, cooldown=0, min_lr=0.0),
    dict(mode="min", factor=0.1, patience=1, threshold=0.1, cooldown=2, min_lr=0.002),
    dict(mode="max", factor=0.5, patience=1, threshold=1e-4, cooldown=1, min_lr=0.0),
]
for args in PLATEAU:
    for threshold_mode in ["rel", "abs"]:
        opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, threshold_mode=threshold_mode, **args)
        lrs = []
        for m in metrics:
            sched.step(m)
            lrs.append(opt.param_groups[0]["lr"])
        cases.append(case("scheduler plateau " + ",".join(f"{k}={v}" for k, v in args.items()) + f",threshold_mode={threshold_mode}",
                          {}, kind="plateau", lr=0.1, lrs=lrs, metrics=metrics, threshold_mode=threshold_mode, **args))

# Gradient clipping.
g1 = torch.randn(3, 4)
g2 = torch.randn(5) * 3
for max_norm, norm_type in [(1.0, 2.0), (100.0, 2.0), (0.5, 1.0), (2.0, math.inf), (1.5, 3.0)]:
    p1 = torch.nn.Parameter(torch.zeros(3, 4)); p1.grad = g1.clone()
    p2 = torch.nn.Parameter(torch.zeros(5)); p2.grad = g2.clone()
    total = torch.nn.utils.clip_grad_norm_([p1, p2], max_norm, norm_type)
    cases.append(case(f"clip norm max={max_norm} type={norm_type}", {"g1": g1, "g2": g2, "clipped1": p1.grad, "clipped2": p2.grad,
                      "total_norm": total}, kind="clip_norm", max_norm=max_norm, norm_type=norm_type if math.isfinite(norm_type) else "inf"))
for clip in [0.5, 2.0]:
    p1 = torch.nn.Parameter(torch.zeros(3, 4)); p1.grad = g1.clone()
    p2 = torch.nn.Parameter(torch.zeros(5)); p2.grad = g2.clone()
    torch.nn.utils.clip_grad_value_([p1, p2], clip)
    cases.append(case(f"clip value {clip}", {"g1": g1, "g2": g2, "clipped1": p1.grad, "clipped2": p2.grad}, kind="clip_value", clip_value=clip))

# Parameter groups: w and b (the tensors and gradients above) in two groups with their own lr, weight decay
# and one other setting; the optimizer's arguments are the defaults of whatever a group leaves out.
GROUPS = [
    ("sgd", torch.optim.SGD, dict(lr=0.1, momentum=0.9),
     [dict(lr=0.05, weight_decay=0.1), dict(weight_decay=0.01, momentum=0.5, nesterov=True)]),
    # (Adagrad fills its sums from the constructor's initial_accumulator_value, whatever a group says.)
    ("adagrad", torch.optim.Adagrad, dict(lr=0.1, initial_accumulator_value=0.2),
     [dict(lr=0.05, weight_decay=0.1), dict(lr_decay=0.5, eps=1e-3)]),
    ("rmsprop", torch.optim.RMSprop, dict(lr=0.01),
     [dict(weight_decay=0.1, momentum=0.9), dict(lr=0.02, centered=True)]),
    ("adam", torch.optim.Adam, dict(lr=0.01),
     [dict(weight_decay=0.1), dict(lr=0.1, betas=(0.8, 0.99), amsgrad=True)]),
    ("adamw", torch.optim.AdamW, dict(lr=0.01, weight_decay=0.05),
     [dict(lr=0.1), dict(weight_decay=0.3, eps=1e-3)]),
]
for kind, cls, defaults, settings in GROUPS:
    tensors = three_steps(lambda w, b: cls([dict(params=[w], **settings[0]), dict(params=[b], **settings[1])], **defaults))
    name = f"groups {kind} " + ",".join(f"{k}={v}" for k, v in defaults.items()) + " " + \
        " | ".join(",".join(f"{k}={v}" for k, v in g.items()) for g in settings)
    cases.append(case(name, tensors, kind="groups", optimizer=kind, defaults=attrs_of(defaults),
                      groups=[attrs_of(g) for g in settings]))

# Schedulers over two groups: each group's rate follows its own base rate.
for kind, args, make in [SCHEDULERS[0], SCHEDULERS[3]]:
    opt = torch.optim.SGD([dict(params=[torch.nn.Parameter(torch.zeros(1))]),
                           dict(params=[torch.nn.Parameter(torch.zeros(1))], lr=0.01)], lr=0.1)
    sched = make(opt, args)
    lrs = []
    for _ in range(12):
        opt.step()
        sched.step()
        lrs.append([g["lr"] for g in opt.param_groups])
    cases.append(case(f"groups scheduler {kind} " + ",".join(f"{k}={v}" for k, v in args.items()), {},
                      kind="groups_" + kind, lrs=lrs, group_lrs=[0.1, 0.01], **args))
opt = torch.optim.SGD([dict(params=[torch.nn.Parameter(torch.zeros(1))]),
                       dict(params=[torch.nn.Parameter(torch.zeros(1))], lr=0.01)], lr=0.1)
sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **PLATEAU[1])
lrs = []
for m in metrics:
    sched.step(m)
    lrs.append([g["lr"] for g in opt.param_groups])
cases.append(case("groups scheduler plateau " + ",".join(f"{k}={v}" for k, v in PLATEAU[1].items()), {},
                  kind="groups_plateau", lrs=lrs, group_lrs=[0.1, 0.01], metrics=metrics, threshold_mode="rel", **PLATEAU[1]))

write("optimizers.json", "tools/parity/optimizers.py", cases)
