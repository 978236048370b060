#!/usr/bin/env bash
# A workstation with several GPUs: one batch worker per GPU over one list and one results folder (each worker sees
# only its GPU through CUDA_VISIBLE_DEVICES, so each uses "the" GPU). Entries are claimed, so the workers share the
# list without a plan; run it again to finish what a stopped run left.
#
#   examples/stylecrafter-gpus.sh /path/to/models /path/to/list.json /path/to/results [more batch options]
set -euo pipefail
MODELS=$1 LIST=$2 OUT=$3
shift 3
STYLECRAFTER=${STYLECRAFTER:-$(dirname "$0")/../stylecrafter}
GPUS=$(nvidia-smi --query-gpu=index --format=csv,noheader 2>/dev/null || true)
if [ -z "$GPUS" ]; then
	echo "no NVIDIA GPU found (nvidia-smi); run one worker: $STYLECRAFTER batch --models $MODELS --list $LIST --out $OUT" >&2
	exit 1
fi
for g in $GPUS; do
	CUDA_VISIBLE_DEVICES=$g "$STYLECRAFTER" batch --models "$MODELS" --list "$LIST" --out "$OUT" --device gpu "$@" > "$OUT.gpu$g.log" 2>&1 &
done
wait
"$STYLECRAFTER" batch --models "$MODELS" --list "$LIST" --out "$OUT" --status "$@"
