#!/usr/bin/env bash
# The GPU checks, on a machine with an NVIDIA GPU, Python's PyTorch and no Java, Maven or network (the lent device).
# Run from the repository root with model-bundle/target/gpu-check (made by pack.sh here) carried along:
#   model-bundle/src/test/gpu/run-on-device.sh JNI_LIBRARY [STAGE ...]
# JNI_LIBRARY: DJL 0.36's PyTorch JNI (libdjl_torch.so) built for the device's libtorch (the pip wheel's); DJL ships
#   none for it. Build it by hand on the device, in an ignored folder, from DJL's sources (never committed here).
# STAGEs (default: all, in this order; each fits in one 10-minute call once the weights exist):
#   weights   full-size random weights with the device's torch (make_fullsize_random.py), in $WORK/full
#   parity    GPU vs CPU, float32 with TF32 off, on a small whole run (2 frames 128x128, 3 steps); golden runs when packed
#   fp16      one full-size image-mode UNet call, float16 vs float32 on the GPU (relative error)
#   unet      bench-unet: video (1x4x16x40x64) and image (64x64), float16 and float32, on the GPU; float16 again with
#             libtorch's group_norm (-Dstylecrafter.groupnorm=native)
#   generate  bench-generate: the official video (16x320x512) and image (512x512), 50 steps, float16, on the GPU
# Results go to $OUT (the device tool's output folder) or ./gpu-check-out: one log per stage, GPU utilisation and
# memory sampled by nvidia-smi every 200 ms, and summary.txt.
set -euo pipefail
[ $# -ge 1 ] || { sed -n 2,16p "$0"; exit 2; }
jni="$1"; shift
stages="${*:-weights parity fp16 unet generate}"
pack=model-bundle/target/gpu-check
out="${OUT:-$PWD/gpu-check-out}"
work="${WORK:-/tmp/stylecrafter-gpu}"
mkdir -p "$out" "$work"
[ -d "$pack/lib" ] || { echo "no $pack: run model-bundle/src/test/gpu/pack.sh first and carry it" >&2; exit 2; }
[ -f "$jni" ] || { echo "JNI library $jni not found" >&2; exit 2; }

# The JRE
if [ ! -x "$work/.jre/bin/java" ]; then python3 -c "import tarfile,sys; tarfile.open(sys.argv[1]).extractall(sys.argv[2])" "$pack/jre.tar.xz" "$work"; fi
java="$work/.jre/bin/java"

# DJL on the device's libtorch: its folder, version and CUDA flavour, and the JNI where DJL looks for it
read -r tver tcuda tlib < <(python3 -c "import torch,os; print(torch.__version__.split('+')[0], (torch.version.cuda or '').replace('.',''), os.path.join(os.path.dirname(torch.__file__),'lib'))")
export PYTORCH_LIBRARY_PATH="$tlib" PYTORCH_VERSION="$tver" PYTORCH_FLAVOR="cu$tcuda" ENGINE_CACHE_DIR="$work/djl-cache"
mkdir -p "$ENGINE_CACHE_DIR/pytorch/$tver-cu$tcuda-linux-x86_64"
cp "$jni" "$ENGINE_CACHE_DIR/pytorch/$tver-cu$tcuda-linux-x86_64/0.36.0-libdjl_torch.so"
# the pip wheel's CUDA libraries live beside torch, in nvidia/*/lib
export LD_LIBRARY_PATH="$(python3 -c "import glob,os,torch; print(':'.join(sorted(glob.glob(os.path.join(os.path.dirname(os.path.dirname(torch.__file__)),'nvidia','*','lib')))))"):${LD_LIBRARY_PATH:-}"
sc() { "$java" -Xmx32g -Dai.djl.offline=true ${SC_OPTS:-} -cp "$pack/lib/*" sc.fiji.stylecrafter.cli.Main "$@"; }

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv > "$out/gpu.csv" || true
monitor() { nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used --format=csv,noheader -lms 200 > "$out/util-$1.csv" & echo $!; }
full="$work/full"
style="$work/style.png"
python3 - "$style" <<'PY'
import sys, zlib, struct
w = h = 512  # a smooth colour gradient as the style reference
raw = b''.join(b'\x00' + bytes(v for x in range(w) for v in (x * 255 // w, y * 255 // h, 128)) for y in range(h))
chunk = lambda t, d: struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
open(sys.argv[1], 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
PY
summary="$out/summary.txt"
echo "GPU checks $(date -u +%FT%TZ); torch $tver cu$tcuda; $(tail -n 1 "$out/gpu.csv")" >> "$summary"

for stage in $stages; do
	echo "== $stage" | tee -a "$summary"
	case "$stage" in
	weights)
		[ -f "$full/model.ckpt" ] || python3 model-bundle/src/test/python/make_fullsize_random.py "$pack/keys" "$full" > "$out/weights.log" 2>&1
		cp "$pack/bpe_simple_vocab_16e6.txt.gz" "$full/"
		ls -la "$full" >> "$out/weights.log"
		;;
	parity)
		common=(--models "$full" --prompt "a red fox running through snow" --style "$style" --seed 123 --steps 3 --frames 2 --width 128 --height 128 --runs 1)
		NVIDIA_TF32_OVERRIDE=0 sc bench-generate "${common[@]}" --device cpu --out "$work/parity-cpu.npy" > "$out/parity-cpu.log" 2>&1
		NVIDIA_TF32_OVERRIDE=0 sc bench-generate "${common[@]}" --device gpu --out "$work/parity-gpu.npy" > "$out/parity-gpu.log" 2>&1
		python3 -c "
import numpy as np, sys
a, b = np.load(sys.argv[1]).astype(int), np.load(sys.argv[2]).astype(int)
d = np.abs(a - b)
print(f'GPU vs CPU float32 (TF32 off), 2 frames 128x128, 3 steps: max |diff| {d.max()} levels, {(d > 0).sum()} of {d.size} values differ, {(d > 1).sum()} by more than 1')
" "$work/parity-cpu.npy" "$work/parity-gpu.npy" | tee -a "$summary"
		if [ -d "$pack/golden" ]; then
			g="$pack/golden"
			seed=$(python3 -c "
import numpy as np, torch, sys
n = np.load(sys.argv[1]); t = torch.from_numpy(n)
print(next(s for s in range(100000) if torch.equal((torch.manual_seed(s), torch.randn(t.shape))[1], t)))" "$g/video_single_noise_00.npy")
			read -r frames steps hw text st < <(python3 -c "
import json,sys; c=json.load(open(sys.argv[1])); print(c['frames'], c['ddim_steps'], c['video_latent_hw'][0]*8, c['video_guidance']['text'], c['video_guidance']['style'])" "$g/config.json")
			prompt=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[0])" "$g/text_prompts.json")
			NVIDIA_TF32_OVERRIDE=0 sc bench-generate --models "$g" --prompt "$prompt" --style "$g/style_0.png" --seed "$seed" --steps "$steps" --frames "$frames" \
				--width "$hw" --height "$hw" --text-guidance "$text" --style-guidance "$st" --device gpu --runs 1 --out "$work/golden-gpu.npy" > "$out/parity-golden.log" 2>&1
			python3 -c "
import numpy as np, sys
d = np.abs(np.load(sys.argv[1]).astype(int) - np.load(sys.argv[2]).astype(int))
print(f'GPU float32 vs the official CPU run (video_single): max |diff| {d.max()} levels, {(d > 0).sum()} of {d.size} differ')" "$work/golden-gpu.npy" "$g/video_single_frames_uint8.npy" | tee -a "$summary"
		fi
		;;
	fp16)
		STYLECRAFTER_BENCH_SAVE="$work/u32.npy" sc bench-unet "$full" image float32 gpu 2 > "$out/fp16.log" 2>&1
		STYLECRAFTER_BENCH_SAVE="$work/u16.npy" sc bench-unet "$full" image float16 gpu 2 >> "$out/fp16.log" 2>&1
		python3 -c "
import numpy as np, sys
a, b = np.load(sys.argv[1]).astype(np.float64), np.load(sys.argv[2]).astype(np.float64)
print(f'float16 vs float32, one full-size image UNet call (64x64 latent): relative error {np.linalg.norm(b - a) / np.linalg.norm(a):.2e} (target < 1e-2)')
" "$work/u32.npy" "$work/u16.npy" | tee -a "$summary"
		;;
	unet)
		for dt in float16 float32; do
			for mode in video image; do
				m=$(monitor "unet-$mode-$dt"); sc bench-unet "$full" "$mode" "$dt" gpu 5 > "$out/unet-$mode-$dt.log" 2>&1; kill "$m" || true
				echo "bench-unet $mode $dt: $(grep '^run 5' "$out/unet-$mode-$dt.log")" | tee -a "$summary"
			done
		done
		# libtorch's group_norm (one kernel) instead of seven operators: opt-in until measured here
		for mode in video image; do
			SC_OPTS=-Dstylecrafter.groupnorm=native sc bench-unet "$full" "$mode" float16 gpu 5 > "$out/unet-$mode-float16-groupnorm.log" 2>&1
			echo "bench-unet $mode float16, native group norm: $(grep '^run 5' "$out/unet-$mode-float16-groupnorm.log")" | tee -a "$summary"
		done
		;;
	generate)
		m=$(monitor generate-video); sc bench-generate --models "$full" --prompt "a red fox running through snow" --style "$style" --mode video --dtype float16 --device gpu --runs 2 \
			> "$out/generate-video.log" 2>&1; kill "$m" || true
		m=$(monitor generate-image); sc bench-generate --models "$full" --prompt "a red fox running through snow" --style "$style" --mode image --dtype float16 --device gpu --runs 2 \
			> "$out/generate-image.log" 2>&1; kill "$m" || true
		grep -h -e '^load' -e '^run' -e '^GPU' "$out/generate-video.log" "$out/generate-image.log" | tee -a "$summary"
		;;
	*) echo "unknown stage $stage" >&2; exit 2 ;;
	esac
done
