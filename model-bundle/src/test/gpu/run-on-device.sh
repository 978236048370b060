#!/usr/bin/env bash
# The GPU checks, on a machine with an NVIDIA GPU, Python's PyTorch and no Java, Maven or network (the lent device).
# Run from the repository root with model-bundle/target/gpu-check (made by pack.sh here) carried along:
#   model-bundle/src/test/gpu/run-on-device.sh JNI_LIBRARY [STAGE ...]
# JNI_LIBRARY: DJL 0.36's PyTorch JNI (libdjl_torch.so) built for the device's libtorch (the pip wheel's); DJL ships
#   none for it. Build it by hand on the device, in an ignored folder, from DJL's sources (never committed here).
# STAGEs (default: all, in this order; a failed stage is reported in the summary and the next one runs):
#   status    `runtime status`: what our driver query and runtime selection say on a real GPU machine
#   weights   full-size random weights with the device's torch (make_fullsize_random.py), in $WORK/full
#   parity    GPU vs CPU, float32 with TF32 off, on a small whole run at full size (2 frames 128x128, 4 steps)
#   golden    the tiny golden video_single run on the GPU (float32 with TF32 off, and float16) vs the official frames
#   fp16      one full-size image-mode UNet call, float16 vs float32 on the GPU (relative error)
#   unet      bench-unet: video (1x4x16x40x64) and image (64x64), float16 and float32, on the GPU; float16 again with
#             libtorch's group_norm (-Dstylecrafter.groupnorm=native)
#   generate  bench-generate: the official video (16x320x512) and image (512x512), 50 steps, float16, on the GPU
# Results go to $OUT (the device tool's output folder) or ./gpu-check-out: one log per stage, GPU utilisation and
# memory sampled by nvidia-smi every 200 ms, and summary.txt (each stage's lines and its wall time).
# Rehearsal without a GPU (the same flow on a CPU libtorch; sizes and counts made small):
#   SC_DEVICE=cpu SC_HALF=bfloat16 SC_RUNS=1 SC_STEPS=1 SC_GEN_RUNS=1 SC_LIBTORCH=DIR SC_LIBTORCH_VERSION=2.7.1 SC_LIBTORCH_FLAVOR=cpu \
#   WORK=... run-on-device.sh DIR/0.36.0-libdjl_torch.so [STAGE ...]    (WORK/full may be a link to existing weights)
set -euo pipefail
[ $# -ge 1 ] || { sed -n 2,22p "$0"; exit 2; }
jni="$1"; shift
stages="${*:-status weights parity golden fp16 unet generate}"
device="${SC_DEVICE:-gpu}" half="${SC_HALF:-float16}" runs="${SC_RUNS:-5}" steps="${SC_STEPS:-50}" genruns="${SC_GEN_RUNS:-2}"
pack=model-bundle/target/gpu-check
out="${OUT:-$PWD/gpu-check-out}"
work="${WORK:-/tmp/stylecrafter-gpu}"
mkdir -p "$out" "$work"
[ -d "$pack/lib" ] || { echo "no $pack: run model-bundle/src/test/gpu/pack.sh first and carry it" >&2; exit 2; }
[ -f "$jni" ] || { echo "JNI library $jni not found" >&2; exit 2; }

# .tar.xz archives unpacked with Python (the device may have no xz)
untar() { python3 -c "import tarfile,sys; tarfile.open(sys.argv[1]).extractall(sys.argv[2])" "$1" "$2"; }

# The JRE
if [ ! -x "$work/.jre/bin/java" ]; then untar "$pack/jre.tar.xz" "$work"; fi
java="$work/.jre/bin/java"

# DJL on the device's libtorch (the pip wheel's, or SC_LIBTORCH): its folder, version and flavour, and the JNI where
# DJL looks for it. These environment variables win over an installed runtime (RuntimeSelection leaves them alone).
if [ -n "${SC_LIBTORCH:-}" ]; then
	tlib="$SC_LIBTORCH" tver="${SC_LIBTORCH_VERSION:?SC_LIBTORCH needs SC_LIBTORCH_VERSION}" flavor="${SC_LIBTORCH_FLAVOR:?SC_LIBTORCH needs SC_LIBTORCH_FLAVOR}"
else
	read -r tver tcuda tlib < <(python3 -c "import torch,os; print(torch.__version__.split('+')[0], (torch.version.cuda or '').replace('.',''), os.path.join(os.path.dirname(torch.__file__),'lib'))")
	flavor="cu$tcuda"
	# the pip wheel's CUDA libraries live beside torch, in nvidia/*/lib
	export LD_LIBRARY_PATH="$(python3 -c "import glob,os,torch; print(':'.join(sorted(glob.glob(os.path.join(os.path.dirname(os.path.dirname(torch.__file__)),'nvidia','*','lib')))))"):${LD_LIBRARY_PATH:-}"
fi
export PYTORCH_LIBRARY_PATH="$tlib" PYTORCH_VERSION="$tver" PYTORCH_FLAVOR="$flavor" ENGINE_CACHE_DIR="$work/djl-cache"
mkdir -p "$ENGINE_CACHE_DIR/pytorch/$tver-$flavor-linux-x86_64"
cp "$jni" "$ENGINE_CACHE_DIR/pytorch/$tver-$flavor-linux-x86_64/0.36.0-libdjl_torch.so"
sc() { "$java" -Xmx32g -Dai.djl.offline=true ${SC_OPTS:-} -cp "$pack/lib/*" sc.fiji.stylecrafter.cli.Main "$@"; }

# nvidia-smi sampling in the background (none where there is no nvidia-smi)
monitor() { if command -v nvidia-smi > /dev/null; then nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used --format=csv,noheader -lms 200 > "$out/util-$1.csv" & echo $!; fi; }
unmonitor() { if [ -n "$1" ]; then kill "$1" 2> /dev/null || true; fi; }
if command -v nvidia-smi > /dev/null; then nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv > "$out/gpu.csv" || true; else echo "no nvidia-smi" > "$out/gpu.csv"; fi

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
echo "GPU checks $(date -u +%FT%TZ); libtorch $tver $flavor from $tlib; device $device, half $half; $(tail -n 1 "$out/gpu.csv")" >> "$summary"

# Compares two uint8 frame arrays (.npy): levels apart
diff_levels() {
	python3 -c "
import numpy as np, sys
a, b = np.load(sys.argv[1]).astype(int), np.load(sys.argv[2]).astype(int)
assert a.shape == b.shape, f'shapes {a.shape} and {b.shape}'
d = np.abs(a - b)
print(f'{sys.argv[3]}: max |diff| {d.max()} levels, {(d > 0).sum()} of {d.size} values differ, {(d > 1).sum()} by more than 1')" "$@"
}

stage_status() {
	sc runtime status > "$out/status.log" 2>&1
	grep -v '^SLF4J' "$out/status.log" >> "$summary"
}

stage_weights() {
	[ -f "$full/model.ckpt" ] || python3 model-bundle/src/test/python/make_fullsize_random.py "$pack/keys" "$full" > "$out/weights.log" 2>&1
	cp "$pack/bpe_simple_vocab_16e6.txt.gz" "$full/"
	ls -la "$full/" >> "$out/weights.log"
}

stage_parity() {
	local common=(--models "$full" --prompt "a red fox running through snow" --style "$style" --seed 123 --steps 4 --frames 2 --width 128 --height 128 --runs 1)
	NVIDIA_TF32_OVERRIDE=0 sc bench-generate "${common[@]}" --device cpu --out "$work/parity-cpu.npy" > "$out/parity-cpu.log" 2>&1
	NVIDIA_TF32_OVERRIDE=0 sc bench-generate "${common[@]}" --device "$device" --out "$work/parity-gpu.npy" > "$out/parity-gpu.log" 2>&1
	diff_levels "$work/parity-cpu.npy" "$work/parity-gpu.npy" "$device vs cpu, float32 (TF32 off), full size, 2 frames 128x128, 4 steps" | tee -a "$summary"
}

# The golden folder's video_single run as GoldenRuns reads it (prompt 0, reference 0, settings from config.json, the
# seed recovered from the recorded first noise draw), on the device, against the official frames.
stage_golden() {
	[ -f "$pack/golden.tar.xz" ] || { echo "golden files not packed (they did not fit): skipped" | tee -a "$summary"; return 0; }
	local g="$work/golden"
	mkdir -p "$g" && untar "$pack/golden.tar.xz" "$g"
	cp "$pack/bpe_simple_vocab_16e6.txt.gz" "$g/"
	local args
	args=$(python3 - "$g" <<'PY'
import json, sys, os
import numpy as np, torch
g = sys.argv[1]
c = json.load(open(os.path.join(g, 'config.json')))
noise = torch.from_numpy(np.load(os.path.join(g, 'video_single_noise_00.npy')))
candidates = [c[k] for k in ('sampling_seed', 'seed') if k in c] + [123] + list(range(65536))
seed = next(s for s in candidates if torch.equal((torch.manual_seed(s), torch.randn(noise.shape))[1], noise))
down = 2 ** (len(c['vae']['ch_mult']) - 1) if 'vae' in c and 'ch_mult' in c['vae'] else 8
h, w = (v * down for v in c['video_latent_hw'])
gd = c['video_guidance']
print(' '.join(str(a) for a in ['--seed', seed, '--steps', c['ddim_steps'], '--eta', c['ddim_eta'], '--frames', c['frames'], '--width', w, '--height', h,
	'--text-guidance', gd['text']] + (['--style-guidance', gd['style']] if gd['style'] is not None else [])))
PY
)
	local prompt
	prompt=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[0])" "$g/text_prompts.json")
	echo "golden video_single: $args" >> "$summary"
	# shellcheck disable=SC2086
	NVIDIA_TF32_OVERRIDE=0 sc bench-generate --models "$g" --prompt "$prompt" --style "$g/style_0.png" $args --device "$device" --runs 1 \
		--out "$work/golden-gpu.npy" > "$out/golden.log" 2>&1
	diff_levels "$work/golden-gpu.npy" "$g/video_single_frames_uint8.npy" "$device float32 vs the official run (video_single; the CPU suite allows 1 level)" | tee -a "$summary"
	# the same run in half precision (on the CPU suite, float16 frames are within 8e-3 relative of the official ones)
	sc bench-generate --models "$g" --prompt "$prompt" --style "$g/style_0.png" $args --device "$device" --dtype "$half" --runs 1 \
		--out "$work/golden-half.npy" > "$out/golden-half.log" 2>&1
	diff_levels "$work/golden-half.npy" "$g/video_single_frames_uint8.npy" "$device $half vs the official float32 run (video_single)" | tee -a "$summary"
}

stage_fp16() {
	STYLECRAFTER_BENCH_SAVE="$work/u32.npy" sc bench-unet "$full" image float32 "$device" 2 > "$out/fp16.log" 2>&1
	STYLECRAFTER_BENCH_SAVE="$work/u16.npy" sc bench-unet "$full" image "$half" "$device" 2 >> "$out/fp16.log" 2>&1
	python3 -c "
import numpy as np, sys
a, b = np.load(sys.argv[1]).astype(np.float64), np.load(sys.argv[2]).astype(np.float64)
print(f'{sys.argv[3]} vs float32, one full-size image UNet call (64x64 latent): relative error {np.linalg.norm(b - a) / np.linalg.norm(a):.2e} (target < 1e-2)')
" "$work/u32.npy" "$work/u16.npy" "$half" | tee -a "$summary"
}

stage_unet() {
	local dt mode m
	for dt in "$half" float32; do
		for mode in video image; do
			m=$(monitor "unet-$mode-$dt"); sc bench-unet "$full" "$mode" "$dt" "$device" "$runs" > "$out/unet-$mode-$dt.log" 2>&1; unmonitor "$m"
			echo "bench-unet $mode $dt: $(grep '^run' "$out/unet-$mode-$dt.log" | tail -n 1)" | tee -a "$summary"
		done
	done
	# libtorch's group_norm (one kernel) instead of seven operators: opt-in until measured here
	for mode in video image; do
		SC_OPTS=-Dstylecrafter.groupnorm=native sc bench-unet "$full" "$mode" "$half" "$device" "$runs" > "$out/unet-$mode-$half-groupnorm.log" 2>&1
		echo "bench-unet $mode $half, native group norm: $(grep '^run' "$out/unet-$mode-$half-groupnorm.log" | tail -n 1)" | tee -a "$summary"
	done
}

stage_generate() {
	local mode m
	for mode in video image; do
		m=$(monitor "generate-$mode")
		sc bench-generate --models "$full" --prompt "a red fox running through snow" --style "$style" --mode "$mode" --steps "$steps" --dtype "$half" \
			--device "$device" --runs "$genruns" > "$out/generate-$mode.log" 2>&1
		unmonitor "$m"
		grep -h -e '^load' -e '^run' -e '^GPU' "$out/generate-$mode.log" | tee -a "$summary"
	done
}

for stage in $stages; do
	declare -F "stage_$stage" > /dev/null || { echo "unknown stage $stage" >&2; exit 2; }
done
for stage in $stages; do
	echo "== $stage" | tee -a "$summary"
	start=$SECONDS
	set +e
	(set -e; "stage_$stage") # in a subshell, so that a failing command ends this stage only
	rc=$?
	set -e
	if [ $rc -ne 0 ]; then echo "stage $stage FAILED (exit $rc): see $out/$stage*.log" | tee -a "$summary"; fi
	echo "($stage: $((SECONDS - start)) s)" | tee -a "$summary"
done
