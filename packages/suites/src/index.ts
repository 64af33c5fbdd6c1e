/**
 * @pharos/suites — system test suites across packages, each against real
 * etcd, Patroni and PostgreSQL: the probe matrix on every supported
 * PostgreSQL major (probe-matrix/), the fault suite (faults/), the lab's
 * acceptance (lab/), alerting and configure against a lab (alerting-lab/,
 * configure-lab/); the install step, scripts/install-system.sh on fresh
 * Debian 12 and 13 roots made with mmdebstrap (install-system/); the
 * deployment on booted hosts (deploy/: the packages, the Ansible playbook,
 * systemd-nspawn containers). Only the benchmarks depend on it (they reuse
 * the fault suite's writers and measurements).
 */
export {};
