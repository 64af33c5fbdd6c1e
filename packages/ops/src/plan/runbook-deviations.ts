/**
 * The deviations from the reference document that RUNBOOK.md lists, each
 * with its reason (docs/deviations.md says the same): those of every plan,
 * and those of a secured topology (`infrastructure_security: secured`, the
 * default; security review H2).
 */

/** The deviations from the reference document in every plan, each with its reason (also in docs/deviations.md). */
export const DEVIATIONS: readonly string[] = [
  '`--replication-solution patroni` on every backend. The reference prose names `efm` and EFM; its commands (rightly) use `patroni` (docs/reference/pem-facts.md §8 item 1).',
  'Standbys and web applications reach the backend through the multi-host list of every backend, never a virtual IP: SM has none (§8 item 2).',
  "Each backend lists its own address as 127.0.0.1 in its `-ho` list, in its own position. The reference's standby command line is right only for standby 1 (§8 item 3).",
  'Agent ids are 1..N, one per host in order backends then web applications (`-aro agent_id=N`, certificate CN `agentN`). The reference shows 2 for every standby and 4 for every web application (§8 item 4).',
  "HBA: the web-application hosts' agents authenticate with `cert`, like every agent; the reference lets them in with scram-sha-256 although agent users have no password (§8 item 5). A comment in the rule list says so.",
  "Firewall: backends also open Patroni's REST port 8008; the members query each other's REST API when they race for leadership, and the reference never opens it (§8 item 6). When secured (the default), only the other backends and the web applications are admitted.",
  'Standbys are configured with `--skip-db-certificate` too: in HA the configure step must not touch SSL on any node (§8 item 7).',
  "HBA: the superuser (`pemsuper`) lines list the backends then the web applications in topology order; the reference's order (202, 201, 213, 211, 200, 212) has no meaning, as the lines are disjoint by address.",
  'The first backend is initialised with data checksums (`PGSETUP_INITDB_OPTIONS="-E UTF-8 --data-checksums"`). Patroni adopts that existing data directory, so the `initdb` options of its bootstrap section (UTF8, data-checksums) are never used; without this the cluster would silently lack the checksums the reference asks for.',
  "The SSL parameters and HBA rules are applied with `patronictl edit-config --apply dynamic-config.yml` (the complete pg_hba list, PEM rules first, then Patroni's and the defaults) instead of editing interactively: Patroni replaces lists whole, so the file carries the whole list.",
  'Certificates come with the plan: one CA (ECDSA P-256, SHA-256), one server certificate for all backends whose subject alternative names are every backend address plus 127.0.0.1 and localhost (so verify-full works whichever backend a multi-host string reaches), and one client certificate per agent user. The reference leaves them to a separate page.',
  "Every command of this runbook is in a `sh` block meant to be run in the host's copy of its plan directory, with every path shell-quoted; the plan refuses a topology path that is not absolute and normalised or that holds whitespace or shell metacharacters.",
  '`pharos configure` replaces `/usr/edb/pem/bin/configure-pem-server.sh` and takes its flags; agent certificates live in /etc/pharos/certs instead of "/path/to/agent/cert".',
  "Patroni's `postgresql.basebackup` asks for `checkpoint: fast` on every backend: a new or rebuilt standby starts copying at once instead of waiting for a spread checkpoint (up to 4.5 minutes with PostgreSQL's defaults).",
  "Each web application gets an HTTPS certificate from the plan's CA (`web.crt`, for its address and name; `--web-cert`/`--web-key` in its configure step), so clients and `pharos check` verify it like every other certificate of the deployment.",
];

/** The deviations of a secured topology (the default); none with `infrastructure_security: reference-open`. */
export const SECURED_DEVIATIONS: readonly string[] = [
  "etcd uses TLS for clients and peers (https URLs in etcd.conf, `#[Security]` section): certificates from the deployment's CA, client certificates required on both ports, only `CN=etcd-member` admitted as a peer, TLS 1.2 suites limited to ECDHE with AES-GCM or ChaCha20. The reference uses plain http and no authentication.",
  "etcd has users (RBAC, `etcd-auth.sh`): `root`, and `patroni` whose role reads and writes only `/service/<cluster>/`. Any other certificate from the CA (agents', the web's, the operator's) reads health, status and the member list, and no key. Patroni's etcd client certificate has no CN because etcd's gRPC gateway, which Patroni uses, refuses CN identities once RBAC is on.",
  "Patroni's REST API uses TLS (`restapi.certfile`/`keyfile`/`cafile`, AEAD ciphers) and asks a user and password for every unsafe method (`restapi.authentication`); a `ctl` section lets patronictl and the members verify and authenticate. GETs stay readable by the hosts the firewall admits.",
  'Firewall: etcd 2380 admits only the other members, 2379 the backends, the web applications and the other members, Patroni 8008 the other backends and the web applications (firewalld rich rules), instead of opening these ports to the whole zone.',
  "Pharos reads Patroni over https (`--patroni-rest-ca` in each configure step: agents' Patroni probes, the web overview) and the web reads etcd health with its own client certificate (`--etcd-endpoints`, `--etcd-cert`, `--etcd-key`).",
];
