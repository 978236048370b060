"""Prints what `stylecrafter inspect FILE` must print, computed by PyTorch itself (torch.load), and, with --store,
writes it to src/test/resources/listings/<sha256 of FILE>.tsv so the Java tests can compare against it.

Usage: /usr/bin/python3 model-bundle/src/test/python/torch_listing.py [--store] FILE...
"""
import hashlib
import os
import sys

import torch


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


def listing(path):
    tensors = flat(torch.load(path, map_location="cpu"))
    lines = [f"{k}\t{str(t.dtype).replace('torch.', '')}\t{'x'.join(str(d) for d in t.shape)}" for k, t in sorted(tensors.items())]
    lines.append(f"total\t{len(tensors)}\t{sum(t.numel() for t in tensors.values())}")
    return "\n".join(lines) + "\n"


store = "--store" in sys.argv
for f in [a for a in sys.argv[1:] if a != "--store"]:
    text = listing(f)
    if store:
        sha = hashlib.sha256(open(f, "rb").read()).hexdigest()
        out = os.path.join(os.path.dirname(__file__), "..", "resources", "listings", sha + ".tsv")
        with open(out, "w") as o:
            o.write(f"# {os.path.basename(f)}\n" + text)
        print(out)
    else:
        sys.stdout.write(text)
