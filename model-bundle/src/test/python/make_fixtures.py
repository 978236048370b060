"""Writes the small checkpoint fixtures of the reader tests with real PyTorch (Debian's python3-torch 1.13).

Run from the repository root:  /usr/bin/python3 model-bundle/src/test/python/make_fixtures.py
Each fixture comes with <name>.expected.json: what PyTorch itself lists (key -> dtype, shape, values).
"""
import collections
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
import fixture_classes  # noqa: E402  (classes pickled by reference, so the files name them as globals)

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures")
os.makedirs(OUT, exist_ok=True)


def flat(obj, prefix=""):
    out = {}
    if isinstance(obj, torch.Tensor):
        out[prefix] = obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            out.update(flat(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            out.update(flat(v, f"{prefix}.{i}" if prefix else str(i)))
    return out


def expected(obj):
    res = {}
    for k, t in sorted(flat(obj).items()):
        res[k] = {
            "dtype": str(t.dtype).replace("torch.", ""),
            "shape": list(t.shape),
            "values": t.detach().contiguous().reshape(-1).to(torch.float64).tolist(),
        }
    return res


def save(name, obj, listing=None):
    path = os.path.join(OUT, name)
    torch.save(obj, path)
    back = torch.load(path)
    with open(path + ".expected.json", "w") as f:
        json.dump(expected(back if listing is None else listing), f, indent=0, sort_keys=True)


torch.manual_seed(0)
base = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) / 8 - 1
shared = torch.randn(5, 6)
basic = collections.OrderedDict()
for dt in [torch.float32, torch.float16, torch.bfloat16, torch.float64, torch.int64, torch.int32, torch.int16, torch.int8,
           torch.uint8, torch.bool]:
    basic["dtype." + str(dt).replace("torch.", "")] = (base * 4).to(dt)
basic["scalar"] = torch.tensor(3.5)
basic["empty"] = torch.zeros(0, 3)
basic["transposed"] = base.transpose(0, 2)          # strides (1, 4, 12)
basic["offset_view"] = shared[2:]                    # storage offset 12, shares storage with the next two
basic["shared_full"] = shared
basic["column"] = shared[:, 1]                       # stride 6, offset 1
basic["expanded"] = torch.tensor([1.0, 2.0]).expand(3, 2)  # stride 0
basic["param"] = torch.nn.Parameter(torch.linspace(-1, 1, 7))
save("basic.pt", basic)

nested = {"a": {"b": [torch.ones(2), torch.full((1, 2), 7.0)], "c": (torch.eye(2),)}, "n": 5, "s": "text"}
save("nested.pt", nested)

lightning = {
    "epoch": 3,
    "global_step": 1200,
    "pytorch-lightning_version": "1.8.3",
    "state_dict": collections.OrderedDict([("model.w", torch.randn(4, 3)), ("model.b", torch.zeros(4, dtype=torch.float16))]),
    "hyper_parameters": {"lr": 1e-4, "cfg": fixture_classes.Config(1, "x"), "steps": {1, 2}},
    "loops": {"fit": fixture_classes.Config(2, "y")},
}
save("lightning.ckpt", lightning, listing={"state_dict": lightning["state_dict"]})

# Hostile: an entry whose unpickling would call os.system.
torch.save({"w": torch.ones(2), "x": fixture_classes.Evil()}, os.path.join(OUT, "evil_os_system.pt"))
# Hostile: tensors reached only through an unknown class (not on the allow-list).
torch.save({"state_dict": fixture_classes.Holder(torch.ones(3))}, os.path.join(OUT, "unknown_global_on_path.pt"))
# Legacy (pre-1.6) format.
torch.save({"w": torch.ones(2)}, os.path.join(OUT, "legacy.pt"), _use_new_zipfile_serialization=False)
print("fixtures written to", os.path.abspath(OUT))
