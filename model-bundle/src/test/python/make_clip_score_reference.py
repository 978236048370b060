"""Reference features for the CLIP scores, computed by the official OpenCLIP code on a golden folder's tiny weights.

Needs Debian's python3-torch (1.13) and the open_clip package on PYTHONPATH (the official repository's src/, tag
v2.20.0; its tokenizer's optional ftfy import may be stubbed, the tokenizer is not used here: token ids come from the
golden folder). Run from the repository root:

  PYTHONPATH=/path/to/open_clip/src /usr/bin/python3 model-bundle/src/test/python/make_clip_score_reference.py ../shared/golden/tiny-v1

Writes model-bundle/src/test/resources/fixtures/clip_score/: text_features.npy (encode_text of the first 4 token rows of
tokens.npy), image_features.npy (encode_image of style_clip_input.npy), both unnormalised as OpenCLIP returns them, and
source.json with the SHA-256 of the weights they belong to (the Java test skips on other weights).
"""
import hashlib
import json
import os
import sys

import numpy as np
import torch
from open_clip.model import CLIP

golden = sys.argv[1]
out = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "clip_score")
os.makedirs(out, exist_ok=True)
cfg = json.load(open(os.path.join(golden, "config.json")))["open_clip_arch"]
model = CLIP(cfg["embed_dim"], cfg["vision_cfg"], cfg["text_cfg"])
weights = os.path.join(golden, "open_clip_pytorch_model.bin")
state = torch.load(weights, map_location="cpu")
missing, unexpected = model.load_state_dict(state, strict=False)
print("missing", missing, "unexpected", unexpected)
model.eval()
with torch.no_grad():
    tokens = torch.from_numpy(np.load(os.path.join(golden, "tokens.npy"))[:4])
    text = model.encode_text(tokens).float().numpy()
    images = torch.from_numpy(np.load(os.path.join(golden, "style_clip_input.npy"))).float()
    image = model.encode_image(images).float().numpy()
np.save(os.path.join(out, "text_features.npy"), text)
np.save(os.path.join(out, "image_features.npy"), image)
sha = hashlib.sha256(open(weights, "rb").read()).hexdigest()
json.dump({"weights_sha256": sha, "tokens_rows": 4, "open_clip": "v2.20.0", "torch": torch.__version__}, open(os.path.join(out, "source.json"), "w"), indent=1)
print("text", text.shape, "image", image.shape)
