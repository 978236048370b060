#!/usr/bin/env bash
# Runs examples/stylecrafter-array.sbatch as a 3-task array on a single-node SLURM started here, over the tiny golden
# model, and checks that each of 6 entries is made once. Needs root and Debian's slurm-wlm and munge
# (apt-get install slurm-wlm munge) and a built checkout (mvn -B -q package -DskipTests). CI does not run it.
#
#   sudo examples/slurm-local-test.sh ../shared/golden/tiny-v1
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
golden="$(cd "${1:?give the golden folder, e.g. ../shared/golden/tiny-v1}" && pwd)"
work="$(mktemp -d /tmp/stylecrafter-slurm.XXXXXX)"
chmod 755 "$work"
host="$(hostname -s)"
cpus="$(nproc)"

# munge, with a key of its own
if ! pgrep -x munged > /dev/null; then
	[ -f /etc/munge/munge.key ] || { dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2> /dev/null; chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; }
	mkdir -p /run/munge && chown munge:munge /run/munge
	su -s /bin/sh munge -c /usr/sbin/munged
fi

# a one-node cluster
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=local
MpiDefault=none
SlurmctldHost=$host
SlurmUser=root
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
rm -f /etc/slurm/cgroup.conf # no cgroups needed: proctrack/linuxproc, task/none
pkill -x slurmctld || true
pkill -x slurmd || true
sleep 1
/usr/sbin/slurmctld -i
/usr/sbin/slurmd
for i in $(seq 1 30); do sinfo -h -o %T 2> /dev/null | grep -q idle && break; sleep 1; done
sinfo

# the list: 6 entries; the job script without its GPU request (this node has none)
python3 - "$golden" "$work/list.json" <<'PY'
import json, sys
json.dump([{"prompt": "entry %d a fox in snow" % i, "style_path": sys.argv[1] + "/style_0.png"} for i in range(6)], open(sys.argv[2], "w"))
PY
sed '/#SBATCH --gres/d; s/#SBATCH --cpus-per-task=4/#SBATCH --cpus-per-task=1/; s/#SBATCH --mem=32G/#SBATCH --mem=0/' "$here/examples/stylecrafter-array.sbatch" > "$work/job.sbatch"
export OMP_NUM_THREADS=1 # three tasks share the cores of one node
start=$(date +%s)
STYLECRAFTER="$here/stylecrafter" MODELS="$golden" LIST="$work/list.json" OUT="$work/results" DEVICE=cpu FORMAT=png \
	sbatch --wait --array=0-2 --chdir="$work" --export=ALL "$work/job.sbatch" --mode image --width 128 --height 128 --steps 5
echo "array done in $(( $(date +%s) - start )) s"
written=$(cat "$work"/stylecrafter-*.log | grep -o 'batch done: [0-9]* written' | awk '{s += $3} END {print s}')
outputs=$(ls -d "$work"/results/0*_* | wc -l)
grep -h "shard" "$work"/stylecrafter-*.log || true
echo "generated $written, outputs $outputs"
[ "$written" = 6 ] && [ "$outputs" = 6 ] && echo "PASS: each entry made once" || { echo "FAIL"; exit 1; }
