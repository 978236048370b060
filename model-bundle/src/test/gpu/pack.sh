#!/usr/bin/env bash
# Packs what the GPU checks need on a machine with an NVIDIA GPU, Python's PyTorch and no Java, Maven or network (the
# lent device): a jlink JRE, the runtime jars (without the CPU libtorch jar, the JNI jar and the FFmpeg natives), the
# checkpoint key lists and the tokenizer vocabulary for full-size random weights, and, when it all fits in the 64 MiB a device call carries, the
# tiny golden folder's files for the golden parity run. Run here, from the repository root, after
# `mvn -B -q package -DskipTests`. Writes model-bundle/target/gpu-check/ (ignored by git; pass it as `carry`).
# Usage: model-bundle/src/test/gpu/pack.sh [GOLDEN_DIR (default ../shared/golden/tiny-v1)] [KEYS_DIR (default ../shared/spec/keys)]
set -euo pipefail
golden="${1:-../shared/golden/tiny-v1}"
keys="${2:-../shared/spec/keys}"
out=model-bundle/target/gpu-check
limit=$((62 * 1024 * 1024)) # what travels is at most 64 MiB; leave room for the scripts
jar=$(ls model-bundle/target/stylecrafter-model-bundle-*.jar | grep -v -e sources -e tests | head -n 1)
rm -rf "$out" && mkdir -p "$out/lib" "$out/keys"
cp "$jar" "$out/lib/"
for j in model-bundle/target/lib/*.jar; do
	case "$(basename "$j")" in
		pytorch-native-cpu-*|pytorch-jni-*|ffmpeg-*-linux-*|javacpp-*-linux-*) ;; # natives: the device has its own libtorch; no video there
		*) cp "$j" "$out/lib/" ;;
	esac
done
cp "$keys"/*.txt "$out/keys/"
cp "$golden/bpe_simple_vocab_16e6.txt.gz" "$out/" # OpenCLIP's tokenizer vocabulary, for the full-size model folder
rm -rf "$out/.jre"
jlink --add-modules java.base,java.compiler,java.desktop,java.logging,java.management,java.sql,jdk.unsupported \
	--strip-debug --no-header-files --no-man-pages --compress=2 --output "$out/.jre"
tar -C "$out" -cJf "$out/jre.tar.xz" .jre
rm -rf "$out/.jre"
size=$(du -sb "$out" | cut -f1)
need=0
files="model.ckpt adapter_v1.pth temporal_v1_1.pth open_clip_pytorch_model.bin bpe_simple_vocab_16e6.txt.gz config.json text_prompts.json style_0.png style_1.png
video_single_noise_00.npy video_single_frames_uint8.npy image_single_noise_00.npy image_single_frames_uint8.npy"
for f in $files; do need=$((need + $(stat -c %s "$golden/$f"))); done
if [ $((size + need)) -le $limit ]; then
	mkdir -p "$out/golden"
	for f in $files; do cp "$golden/$f" "$out/golden/"; done
	echo "packed with the golden files: $(du -sh "$out" | cut -f1)"
else
	echo "packed without the golden files ($(( (size + need) / 1048576 )) MiB would not fit in 62): $(du -sh "$out" | cut -f1)"
fi
