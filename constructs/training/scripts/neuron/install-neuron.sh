#!/usr/bin/env bash
# ParallelCluster OnNodeConfigured action of every node of the Trainium recipe (runs as root on
# Ubuntu): the Neuron driver, runtime, collectives and tools from the Neuron apt repository, as the
# aws-neuron-parallelcluster-samples install script does. Skipped when the AMI already has them.
set -euo pipefail

if [[ -x /opt/aws/neuron/bin/neuron-ls ]] && dpkg -s aws-neuronx-runtime-lib >/dev/null 2>&1; then
  echo "install-neuron.sh: Neuron runtime already installed"
else
  # shellcheck source=/dev/null
  . /etc/os-release
  install -d -m 0755 /etc/apt/keyrings
  curl -fsSL https://apt.repos.neuron.amazonaws.com/GPG-PUB-KEY-AMAZON-AWS-NEURON.PUB | gpg --batch --yes --dearmor -o /etc/apt/keyrings/neuron.gpg
  echo "deb [signed-by=/etc/apt/keyrings/neuron.gpg] https://apt.repos.neuron.amazonaws.com ${VERSION_CODENAME} main" > /etc/apt/sources.list.d/neuron.list
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q "linux-headers-$(uname -r)" aws-neuronx-dkms aws-neuronx-collectives aws-neuronx-runtime-lib aws-neuronx-tools
fi
# shellcheck disable=SC2016 # $PATH must expand at login, not here
echo 'export PATH=/opt/aws/neuron/bin:$PATH' > /etc/profile.d/neuron.sh

# trn1 has several network cards, and /etc/hosts can map the host name to the address of the wrong
# one; the samples' install script drops that line so that name resolution goes through DNS.
if grep -q "[[:space:]]$(hostname)\$" /etc/hosts; then
  sed -i "/[[:space:]]$(hostname)\$/d" /etc/hosts
fi
echo "install-neuron.sh: done on $(hostname)"
