"""Writes full-size StyleCrafter weight files with random weights, in the official formats and key layout, from the
key lists in ../shared/spec/keys. For speed and memory benchmarks only (the real weights cannot be downloaded here).

Usage: /usr/bin/python3 model-bundle/src/test/python/make_fullsize_random.py SPEC_KEYS_DIR OUT_DIR
"""
import collections
import os
import sys

import torch

keys_dir, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)


def read(name):
    rows = []
    for line in open(os.path.join(keys_dir, name)):
        parts = line.rstrip("\n").split(" ")
        if parts[0] == "total":
            continue
        key, shape, dtype = parts[0], parts[1], parts[2]
        dims = [int(d) for d in shape.split("x")] if shape else []
        rows.append((key, dims, getattr(torch, dtype)))
    return rows


def tensor(dims, dtype):
    if dtype.is_floating_point:
        return (torch.randn(dims) * 0.02).to(dtype)
    return torch.zeros(dims, dtype=dtype)


model = collections.OrderedDict()
clip = collections.OrderedDict()
for key, dims, dtype in read("video-model_state_dict.txt"):
    if key.startswith("style_stage_model.model."):
        clip[key[len("style_stage_model.model."):]] = tensor(dims, dtype)
    elif not key.startswith("adapter."):
        model[key] = tensor(dims, dtype)
# the noise schedule buffers as the official model registers them (loading checks alphas_cumprod), not random
betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=torch.float64) ** 2
alphas_cumprod = torch.cumprod(1.0 - betas, dim=0)
model["betas"] = betas.float()
model["alphas_cumprod"] = alphas_cumprod.float()
model["alphas_cumprod_prev"] = torch.cat([torch.ones(1, dtype=torch.float64), alphas_cumprod[:-1]]).float()
model["sqrt_alphas_cumprod"] = alphas_cumprod.sqrt().float()
model["sqrt_one_minus_alphas_cumprod"] = (1.0 - alphas_cumprod).sqrt().float()
# OpenCLIP's full file has the text tower too (the conditioning copy in model.ckpt overwrites it; scores use it)
for key in list(model):
    if key.startswith("cond_stage_model.model."):
        clip[key[len("cond_stage_model.model."):]] = model[key].clone()
clip.setdefault("text_projection", tensor([1024, 1024], torch.float32))
torch.save({"state_dict": model, "epoch": 0, "global_step": 0}, os.path.join(out, "model.ckpt"))
del model
torch.save(clip, os.path.join(out, "open_clip_pytorch_model.bin"))
del clip
adapter = collections.OrderedDict((k, tensor(d, t)) for k, d, t in read("video-adapter_state_dict.txt"))
torch.save(adapter, os.path.join(out, "adapter_v1.pth"))
temporal = collections.OrderedDict()
for key, dims, dtype in read("video-temporal_state_dict.txt"):
    module, param = key.split("/", 1)
    temporal.setdefault(module, collections.OrderedDict())[param] = tensor(dims, dtype)
torch.save(temporal, os.path.join(out, "temporal_v1_1.pth"))
print("written to", out)
