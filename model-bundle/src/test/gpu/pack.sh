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
# what travels is at most 64 MiB, the repository's tracked files included; keep 1 MiB spare
limit=$((63 * 1024 * 1024 - $(git ls-files -z | xargs -0 cat | wc -c)))
jar=$(ls model-bundle/target/stylecrafter-model-bundle-*.jar | grep -v -e sources -e tests | head -n 1)
rm -rf "$out" && mkdir -p "$out/lib" "$out/keys"
cp "$jar" "$out/lib/"
for j in model-bundle/target/lib/*.jar; do
	case "$(basename "$j")" in
		pytorch-native-cpu-*|pytorch-jni-*) ;; # the device has its own libtorch (and the JNI built for it)
		ffmpeg-*-linux-*|javacpp-*-linux-*) ;; # FFmpeg's natives: no video files in the checks (its classes are linked, so they stay)
		*) cp "$j" "$out/lib/" ;;
	esac
done
cp "$keys"/*.txt "$out/keys/"
cp "$golden/bpe_simple_vocab_16e6.txt.gz" "$out/" # OpenCLIP's tokenizer vocabulary, for the full-size model folder
rm -rf "$out/.jre"
# uncompressed modules, then xz over the whole image: 17 MB instead of 29 with jlink's own compression
jlink --add-modules java.base,java.compiler,java.desktop,java.logging,java.management,java.net.http,java.sql,jdk.unsupported \
	--strip-debug --no-header-files --no-man-pages --compress=0 --output "$out/.jre"
XZ_OPT=-9e tar -C "$out" -cJf "$out/jre.tar.xz" .jre
rm -rf "$out/.jre"
# the video_single run's files (the vocabulary is packed already), as one xz archive (random weights: 10% smaller)
files="model.ckpt adapter_v1.pth temporal_v1_1.pth open_clip_pytorch_model.bin config.json text_prompts.json style_0.png video_single_noise_00.npy
video_single_frames_uint8.npy"
# shellcheck disable=SC2086
XZ_OPT=-9e tar -C "$golden" -cJf "$out/golden.tar.xz" $files
size=$(du -sb "$out" | cut -f1)
if [ "$size" -le "$limit" ]; then
	echo "packed with the golden files: $(du -sh "$out" | cut -f1) (at most $((limit / 1048576)) MiB)"
else
	rm "$out/golden.tar.xz"
	echo "packed without the golden files ($((size / 1048576)) MiB would not fit in $((limit / 1048576))): $(du -sh "$out" | cut -f1)"
fi
