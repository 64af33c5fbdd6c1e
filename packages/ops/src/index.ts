/**
 * @pharos/ops — the operations flow: topology -> validate (topology/) ->
 * render the per-host artefacts (render/: etcd, Patroni, HBA rules,
 * firewall, configure command lines; pure) -> plan (plan/: writes them and
 * the runbook) -> lab (lab/: the whole deployment on one machine with real
 * etcd, Patroni and PostgreSQL) -> check (check/: a live deployment against
 * its topology).
 *
 * Contract: depends on @pharos/core and @pharos/agent (only the agent's
 * Node options, to start agents as a service manager would).
 */
export { loadTopology } from './topology/load.js';
