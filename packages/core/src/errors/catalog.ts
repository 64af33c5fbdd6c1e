/**
 * The error catalogue: every error a `pharos` command or the web API can
 * return, by stable code `PHAROS_<AREA>_<WHAT>` (fastify's lib/errors.js is
 * the model). Each entry gives:
 *
 * - `kind`: which class the error is (kinds.ts): `input` (InputError: the
 *   user's input is wrong), `config` (ConfigError: a configuration cannot
 *   work), `connect` (ConnectError: no usable connection), `state`
 *   (PharosError: the system is not in a state to do it), `internal`
 *   (PharosError: a bug);
 * - `status`: the HTTP status the web API answers with;
 * - `exit`: the exit code of a CLI command it ends (exit-codes.ts);
 * - `message`: the template; `{name}` placeholders are filled by
 *   `pharosError(code, { name })` (create.ts).
 *
 * docs/errors.md explains each code and its fix; errors.test.ts fails when
 * the two lists differ, so add a code here and there together. Codes are
 * never renamed or reused: scripts and logs match on them.
 */
import { EXIT, type ExitCode } from './exit-codes.js';

/** What an error is about (see the module note). */
export type ErrorKind = 'input' | 'config' | 'connect' | 'state' | 'internal';

/** One catalogue entry. */
export interface ErrorSpec {
  readonly kind: ErrorKind;
  readonly status: number;
  readonly exit: ExitCode;
  readonly message: string;
}

const input = <const M extends string>(message: M, status = 400, exit: ExitCode = EXIT.INPUT) =>
  ({ kind: 'input', status, exit, message }) as const;
const config = <const M extends string>(message: M, status = 500, exit: ExitCode = EXIT.FAILED) =>
  ({ kind: 'config', status, exit, message }) as const;
const connect = <const M extends string>(message: M, status = 503, exit: ExitCode = EXIT.FAILED) =>
  ({ kind: 'connect', status, exit, message }) as const;
const state = <const M extends string>(message: M, status = 409, exit: ExitCode = EXIT.FAILED) =>
  ({ kind: 'state', status, exit, message }) as const;
const internal = <const M extends string>(message: M, status = 500, exit: ExitCode = EXIT.FAILED) =>
  ({ kind: 'internal', status, exit, message }) as const;

/** Every code, by area (docs/errors.md has the same sections). */
export const ERRORS = {
  // command line
  PHAROS_CLI_CHOICE_INVALID: input("{flag}: '{value}' must be {allowed}"),
  PHAROS_CLI_DAYS_INVALID: input("{flag}: '{days}' is not a number of days"),
  PHAROS_CLI_FILE_MISSING: input('{flag}: {path} does not exist'),
  PHAROS_CLI_FLAG_PAIR: input('{first} and {second} go together: give both'),
  PHAROS_CLI_FLAG_REQUIRED: input('{flag}: {what} is required'),
  PHAROS_CLI_HOST_EMPTY: input("{flag}: '{hosts}' has an empty host"),
  PHAROS_CLI_KEY_REPEATED: input("{flag}: '{key}' is given twice"),
  PHAROS_CLI_KEY_UNKNOWN: input("{flag}: unknown key '{key}' (known: {known})"),
  PHAROS_CLI_KEY_VALUE_INVALID: input("{flag}: {key}='{value}' {problem}"),
  PHAROS_CLI_KEY_VALUE_SYNTAX: input("{flag}: '{pair}' is not key=value"),
  PHAROS_CLI_NOT_POSITIVE: input('{flag}: {value} is not a positive number'),
  PHAROS_CLI_NOT_POSITIVE_INTEGER: input("{flag}: '{value}' is not a positive integer"),
  PHAROS_CLI_PORT_COUNT: input(
    '-p/--port: {ports} ports given for {hosts} hosts; give one port, or one per host',
  ),
  PHAROS_CLI_PORT_INVALID: input("-p/--port: '{port}' is not a port number (1-65535)"),
  PHAROS_CLI_FILE_UNREADABLE: input('{flag}: cannot read {path}: {reason}'),
  PHAROS_CLI_NOTHING_TO_CHANGE: input('nothing to change: give the flags of the settings to change'),
  PHAROS_CLI_TCP_PORT_INVALID: input("{flag}: '{value}' is not a TCP port (1-65535)"),
  PHAROS_CLI_USAGE: input('{reason}'),

  // pharos configure
  PHAROS_CONFIGURE_AGENT_USER_CERT: input(
    '--use-agent-user {user} needs the certificate and key made for that user: give --use-agent-sslcert and --use-agent-sslkey',
  ),
  PHAROS_CONFIGURE_ETCD_ENDPOINT_INVALID: input(
    "--etcd-endpoints: '{url}' is not a URL of the form https://host:port",
  ),
  PHAROS_CONFIGURE_ETCD_ENDPOINTS_MISSING: input(
    '--etcd-cert/--etcd-key: give the etcd members with --etcd-endpoints too',
  ),
  PHAROS_CONFIGURE_EXISTING_NOT_YAML: config('the existing {what} {path} is not valid YAML: {reason}'),
  PHAROS_CONFIGURE_NOT_PRIMARY: state(
    '--replication-role primary, but the local server {server} is a standby (pg_is_in_recovery() is true): run this on the primary, or use --replication-role standby',
  ),
  PHAROS_CONFIGURE_NO_AGENT_CERT: input(
    'no agent certificate: --skip-db-certificate without --use-existing-sslutils means no agent certificate is generated; give --use-agent-sslcert and --use-agent-sslkey (with -aro agent_id=N or --use-agent-user)',
  ),
  PHAROS_CONFIGURE_PASSWORD_MISSING: input(
    'the superuser password is missing: set PHAROS_SUPERPASSWORD (or -sp, or answer the prompt on a terminal)',
  ),
  PHAROS_CONFIGURE_REPLICATION_UNSUPPORTED: input(
    "--replication-solution '{solution}': only 'patroni' is supported (docs/reference/pem-facts.md §8 item 1: the reference's commands use patroni)",
  ),
  PHAROS_CONFIGURE_ROLE_MISSING: input(
    '--replication-role primary|standby is required with --replication-solution',
  ),
  PHAROS_CONFIGURE_ROLE_WITHOUT_HA: input(
    '--replication-role needs --replication-solution patroni (HA mode)',
  ),
  PHAROS_CONFIGURE_STANDBY_TYPE: input(
    '--replication-role standby is for -t 3 (a backend node), not -t {type}',
  ),
  PHAROS_CONFIGURE_SUBJECT_INVALID: input(
    "-scs/--server-certificate-subject: '{part}' in '{subject}' is not KEY=value",
  ),
  PHAROS_CONFIGURE_SUBJECT_NO_CN: input("-scs/--server-certificate-subject: '{subject}' has no CN="),
  PHAROS_CONFIGURE_TYPE_MISSING: input('-t/--type: the install type is required: 1, 2 or 3'),
  PHAROS_CONFIGURE_UNINSTALL_UNSUPPORTED: input(
    '-un/--uninstall-pem-server is not supported: unregister agents with pharos agent unregister',
  ),
  PHAROS_CONFIGURE_WEB_CERT_MISSING: input(
    '-kwc/--skip-web-certificate: no web certificate at {path}; give --web-cert and --web-key, or let configure make a self-signed one',
  ),
  PHAROS_CONFIGURE_WEB_PASSWORD_MISSING: input(
    'PHAROS_WEB_SERVICE_PASSWORD is required with -t 1/-t 2 (the web service role’s password)',
  ),

  // agent registration
  PHAROS_REGISTER_AGENT_ID_INVALID: input("agent_id '{id}' is not a positive integer"),
  PHAROS_REGISTER_AGENT_ID_MISSING: input('--agent-id: which agent? (no configuration to take it from)'),
  PHAROS_REGISTER_ALREADY: input(
    '{host} is already registered as {agent}; to keep it, omit agent_id or give -aro agent_id={id}; to move it to id {newId}, unregister it {hint}',
  ),
  PHAROS_REGISTER_CERT_NOT_AGENT: input(
    "{flag}: {path} has CN '{commonName}', not agentN: give {agentIdFlag} N for a certificate with CN=agentN, or --use-agent-user {userHint} for a common agent user",
  ),
  PHAROS_REGISTER_CONFIG_INVALID: input('--config: {reason} (fix it or remove it before registering)'),
  PHAROS_REGISTER_HOST_MISSING: input(
    '--host: the backend host list is required (there is no configuration to take it from)',
  ),
  PHAROS_REGISTER_ID_TAKEN: input(
    'agent id {id} is taken by {agent}; choose another -aro agent_id=N (or omit it for the next free id), {hint}',
  ),
  PHAROS_REGISTER_NAME_INVALID: input(
    "{what} '{name}' is not a plain identifier (lower-case letters, digits, _; at most 63 characters)",
  ),
  PHAROS_REGISTER_NO_CA: state(
    "no agent certificate: {cert}/{key} were not given and the backend has no built-in CA (enable it with --use-existing-sslutils on the primary's configure step, with the CA files in every backend's data directory)",
  ),
  PHAROS_REGISTER_NO_CERTIFICATE: input('no agent certificate: give {cert} and {key}'),
  PHAROS_REGISTER_OTHER_USER: input(
    '{host} is already registered as {agent}, not with user {user}; unregister it {hint}',
  ),
  PHAROS_REGISTER_PASSWORD_MISSING: input(
    'the superuser password is missing: set PHAROS_SUPERPASSWORD (or answer the prompt on a terminal)',
  ),
  PHAROS_REGISTER_SUPERUSER: state(
    "the agent user '{user}' is a superuser; an agent user must be an ordinary role (member of pem_agent only)",
  ),

  // pharos agent verify
  PHAROS_VERIFY_CERTIFICATE_UNUSABLE: config("the agent's certificate {path} cannot be used: {reason}"),
  PHAROS_VERIFY_CERTIFICATE_WRONG_USER: config(
    "the agent's certificate {path} has CN '{commonName}', but agent_user is '{user}'",
  ),
  PHAROS_VERIFY_HEARTBEAT_OLD: state(
    'agent {id} ({user}) is registered but inactive: last heartbeat {age} s ago (limit {limit} s)',
    409,
    EXIT.INACTIVE,
  ),
  PHAROS_VERIFY_MARKED_INACTIVE: state(
    'agent {id} ({user}) is registered but marked inactive',
    409,
    EXIT.INACTIVE,
  ),
  PHAROS_VERIFY_NOT_PERMITTED: config(
    '{user} may not ask for its registration (is it a member of pem_agent?): {reason}',
  ),
  PHAROS_VERIFY_NOT_REGISTERED: state('agent {id} is not registered'),
  PHAROS_VERIFY_NO_HEARTBEAT: state(
    'agent {id} ({user}) is registered but has never sent a heartbeat (is it running?)',
    409,
    EXIT.INACTIVE,
  ),
  PHAROS_VERIFY_NO_SCHEMA: config(
    'the backend has no Pharos registration schema (configure the primary first): {reason}',
  ),
  PHAROS_VERIFY_OPTION_INVALID: config("{flag}: '{value}' is not a positive number"),
  PHAROS_VERIFY_OTHER_USER: state('agent {id} is registered with another database user than {user}'),
  PHAROS_VERIFY_QUERY_FAILED: connect('cannot query the backend: {reason}', 503, EXIT.UNREACHABLE),
  PHAROS_VERIFY_REFUSED: config('the backend refused agent {id} ({user}): {reason}'),
  PHAROS_VERIFY_UNREACHABLE: connect('cannot connect to the backend: {reason}', 503, EXIT.UNREACHABLE),

  // certificate and key files given on the command line
  PHAROS_CERT_EXPIRED: input('{flag}: {path} expired on {notAfter}'),
  PHAROS_CERT_FILE_UNREADABLE: input('{flag}: cannot read the {what} file {path}: {reason}'),
  PHAROS_CERT_KEY_MISMATCH: input(
    '{flag}: {keyFile} is not the private key of {certFile} (CN {commonName}): give the key the certificate was issued for',
  ),
  PHAROS_CERT_KEY_NOT_PEM: input(
    '{flag}: {path} is not a PEM private key ({reason}); encrypted keys are not supported',
  ),
  PHAROS_CERT_KEY_PERMISSIONS: input('{flag}: {path}: {problem}'),
  PHAROS_CERT_NOT_PEM: input('{source} is not a PEM certificate ({reason})'),
  PHAROS_CERT_NOT_YET_VALID: input('{flag}: {path} is not valid before {notBefore}'),
  PHAROS_CERT_WRONG_USER: input(
    "{flag}: {path} has CN '{commonName}' but the agent's database user is '{user}'; expected a certificate with CN={user}",
  ),

  // certificates, CSRs, CRLs
  PHAROS_PKI_CA_KEY_INVALID: input("the key of CA '{subject}' is not a PKCS#8 P-256 private key"),
  PHAROS_PKI_CSR_INVALID: input('the certificate signing request is not a PEM PKCS#10 CSR'),
  PHAROS_PKI_CSR_SIGNATURE_INVALID: input('the certificate signing request has an invalid signature'),
  PHAROS_PKI_CSR_WRONG_NAME: input(
    "the certificate signing request is for CN '{commonName}', expected '{expected}'",
  ),
  PHAROS_PKI_IP_ADDRESS_INVALID: input("'{address}' is not an IP address (certificate '{commonName}')"),
  PHAROS_PKI_NOT_A_CA: input("certificate '{subject}' is not a CA (BasicConstraints cA is not true)"),
  PHAROS_PKI_SERIAL_INVALID: input("serial number '{serial}' is not hexadecimal"),

  // the built-in CA and CA files
  PHAROS_CA_FILE_UNREADABLE: input('cannot read the CA {what} {path}: {reason}'),
  PHAROS_CA_KEY_PERMISSIONS: input(
    'the CA key {path} has mode {mode}: it must not be readable by group or others (chmod 0600)',
  ),
  PHAROS_CA_NAME_INVALID: state("'{commonName}' cannot be a certificate CN for an agent user"),
  PHAROS_CA_REFUSED: state('the built-in CA on the primary refused: {reason}'),
  PHAROS_CA_SIGN_FAILED: state(
    "the built-in CA could not sign {commonName}'s certificate on the primary: {reason} (is '{program}' installed there and runnable by the database's OS user?)",
  ),
  PHAROS_CA_WRONG_CERTIFICATE: state(
    "the built-in CA returned a certificate for CN '{commonName}' that does not match the request for {requested}",
  ),

  // connection strings (libpq's messages, word for word)
  PHAROS_CONNINFO_ENV_UNSUPPORTED: input('environment variable {variable} is set: {reason}'),
  PHAROS_CONNINFO_OPTION_UNKNOWN: input('invalid connection option "{option}"'),
  PHAROS_CONNINFO_OPTION_UNSUPPORTED: input('connection option "{option}" is not supported: {reason}'),
  PHAROS_CONNINFO_SYNTAX: input('{detail}'),
  PHAROS_CONNINFO_URI_PARAMETER_UNKNOWN: input('invalid URI query parameter: "{option}"'),
  PHAROS_CONNINFO_VALUE_INVALID: input('{detail}'),
  PHAROS_CONNINFO_VALUE_UNSUPPORTED: input('{detail}'),

  // TLS files of a connection (libpq's rules)
  PHAROS_TLS_FILES_UNUSABLE: config('TLS files cannot be used ({files}): {reason}'),
  PHAROS_TLS_FILE_UNREADABLE: config('{what} file "{path}" ({key}) cannot be read: {reason}'),
  PHAROS_TLS_FILE_UNUSABLE: config('{what} file "{path}" ({key}) is not usable: {reason}'),
  PHAROS_TLS_KEY_PERMISSIONS: config(
    'private key file "{path}" (sslkey) has group or world access; file must have permissions u=rw (0600) or less if owned by the current user, or permissions u=rw,g=r (0640) or less if owned by root',
  ),
  PHAROS_TLS_ROOT_CERT_MISSING: config(
    'root certificate file "{path}" does not exist; either provide the file (sslrootcert) or change sslmode to disable server certificate verification',
  ),

  // connections to PostgreSQL
  PHAROS_CONNECT_ABANDONED: connect('connection attempt to {host}:{port} abandoned'),
  PHAROS_CONNECT_ABSTRACT_SOCKET: config('host "{host}": abstract Unix sockets are not supported'),
  PHAROS_CONNECT_CHANNEL_INVALID: input('LISTEN channel "{channel}" is not a plain identifier'),
  PHAROS_CONNECT_CLOSED: connect('connection is closed'),
  PHAROS_CONNECT_ENCODING_UNSUPPORTED: config(
    'client_encoding "{encoding}" is not supported: Pharos always uses UTF8',
  ),
  PHAROS_CONNECT_INSECURE_AUTH: connect(
    "{host}:{port} asked for the password {how} over a connection that did not verify the server (sslmode={sslmode}); it was not sent: use sslmode=verify-full (or verify-ca) with the server's CA, or scram-sha-256 in its pg_hba.conf",
  ),
  PHAROS_CONNECT_NO_HOST: connect('no database host available: {hosts}'),
  PHAROS_CONNECT_SELECT_DEADLINE: connect('no database host selected within the deadline: {detail}'),
  PHAROS_CONNECT_SESSION_ATTRS_TIMEOUT: connect('timeout expired while checking target_session_attrs'),
  PHAROS_CONNECT_SESSION_DROPPED: connect('database session was dropped; retry to select a host again'),
  PHAROS_CONNECT_SOURCE_ADDRESS_INVALID: config('source address "{address}" is not an IP address'),
  PHAROS_CONNECT_STATEMENT_DEADLINE: connect(
    'statement did not complete within its deadline on {host}:{port}: {statement}',
  ),
  PHAROS_CONNECT_STATEMENT_TIMEOUT: connect(
    'statement on {host}:{port} did not finish within its deadline and took no effect ({how}): {statement}',
    504,
  ),
  PHAROS_CONNECT_TIMEOUT: connect('timeout expired connecting to {host}:{port}'),

  // the pem schema and its migrations
  PHAROS_SCHEMA_FILE_FAILED: state('{what} failed: {reason}', 500),
  PHAROS_SCHEMA_FILE_NAME: config("{what} file name '{name}' in {dir} is not {pattern}"),
  PHAROS_SCHEMA_FUNCTION_AREA: config(
    'sql/functions/{area} is not a function area: add it to FUNCTION_AREAS in packages/backend/src/migrations/release.ts, after the areas it depends on',
  ),
  PHAROS_SCHEMA_MIGRATION_NAME: config("migration file name '{file}' in {dir} is not NNN_name.sql"),
  PHAROS_SCHEMA_MIGRATION_SEQUENCE: config(
    'migration {version} ({name}) out of sequence: expected {expected}',
  ),
  PHAROS_SCHEMA_MISSING: state(
    '{what}: the backend is not configured yet (database pem {where} has no Pharos schema): {reason}',
  ),
  PHAROS_SCHEMA_NEWER: state(
    'database schema version {current} is newer than this Pharos ({newest}); upgrade Pharos instead',
  ),
  PHAROS_SCHEMA_NO_DATABASE: state(
    '{what}: the backend is not configured yet (no database pem {where}): {reason}',
  ),
  PHAROS_SCHEMA_ON_STANDBY: state(
    'refusing to migrate: the server is a standby (pg_is_in_recovery() is true); run the migration on the primary',
  ),
  PHAROS_SCHEMA_TOO_NEW: state(
    "{what}: the backend's schema is at version {version}, newer than this Pharos ({needed}): upgrade Pharos on this host",
  ),
  PHAROS_SCHEMA_TOO_OLD: state(
    "{what}: the backend's schema is at version {version}, this Pharos needs {needed}: run the primary's configure step with this Pharos first (it upgrades the schema in place)",
  ),

  // settings files (agent.yml, web.yml, topology)
  PHAROS_SETTINGS_INVALID: config('{file}: invalid {what} ({count}):\n{problems}'),
  PHAROS_SETTINGS_NOT_YAML: config('{file}: not valid YAML: {reason}'),
  PHAROS_SETTINGS_YAML_UNUSABLE: config(
    '{file}: not usable YAML: aliases expand too much (more than {max} aliased nodes; a {what} file needs none): {reason}',
  ),
  PHAROS_SETTINGS_FILE_UNREADABLE: config('{field}: cannot read {path}: {reason}'),
  PHAROS_SETTINGS_UNREADABLE: config('{file}: cannot read the {what} file: {reason}'),

  // topology
  PHAROS_TOPOLOGY_HOST_UNKNOWN: input("host '{name}' is not in the topology (hosts: {hosts})"),
  PHAROS_TOPOLOGY_INVALID: input('{file}: invalid {what} ({count}):\n{problems}'),
  PHAROS_TOPOLOGY_NOT_BACKEND: input("'{name}' is not a backend of the topology (backends: {backends})"),
  PHAROS_TOPOLOGY_NOT_ETCD: input("'{name}' is not an etcd member of the topology (members: {members})"),
  PHAROS_TOPOLOGY_NOT_YAML: input('{file}: not valid YAML: {reason}'),
  PHAROS_TOPOLOGY_NO_CONFIGURE_STEP: input(
    "'{host}' is neither a backend nor a web application; it has no configure step",
  ),
  PHAROS_TOPOLOGY_YAML_UNUSABLE: input(
    '{file}: not usable YAML: aliases expand too much (more than {max} aliased nodes; a {what} file needs none): {reason}',
  ),
  PHAROS_TOPOLOGY_UNREADABLE: input('{file}: cannot read the {what} file: {reason}'),

  // pharos plan
  PHAROS_PLAN_OUT_MISSING: input('--out <dir> is required (or --format json)'),
  PHAROS_PLAN_OUT_UNCREATABLE: input('--out {dir}: cannot create a directory in {parent}: {reason}'),
  PHAROS_PLAN_OUT_NOT_DIRECTORY: input('--out {dir}: exists and is not a directory'),
  PHAROS_PLAN_OUT_PARENT_MISSING: input(
    '--out {dir}: its parent directory {parent} does not exist; create it first',
  ),
  PHAROS_PLAN_OUT_PARENT_NOT_DIRECTORY: input('--out {dir}: {parent} is not a directory'),
  PHAROS_PLAN_OUT_UNUSABLE: input('--out {dir}: {path} cannot be used: {reason}'),
  PHAROS_PLAN_OUT_NOT_EMPTY: input(
    '--out {dir}: exists and is not empty; a plan is never written over another (it holds the CA)',
  ),
  PHAROS_PLAN_PASSWORD_NUL: input('a password contains a NUL character'),

  // pharos check
  PHAROS_CHECK_CA_MISSING: input(
    "pharos check needs the deployment's CA certificate (root.crt): give --ca FILE or set PGSSLROOTCERT",
  ),
  PHAROS_CHECK_CA_NOT_PEM: input('{path} ({origin}) is not a PEM certificate: {reason}'),
  PHAROS_CHECK_CA_UNREADABLE: input(
    "cannot read the deployment's CA certificate {path} ({origin}): {reason}",
  ),
  PHAROS_CHECK_LAB_SECRETS_UNREADABLE: input("cannot read the lab's passwords {path}: {reason}"),
  PHAROS_CHECK_NO_LAB: input('{dir} holds no lab (no lab.json); give --topology FILE'),
  PHAROS_CHECK_ETCD_CERT_MISSING: input(
    "the topology's etcd is secured (infrastructure_security: secured): give --etcd-cert FILE and --etcd-key FILE (an etcd client certificate, e.g. the plan's ca/etcd-client.crt and .key)",
  ),
  PHAROS_CHECK_TOPOLOGY_MISSING: input('--topology FILE is required (or --lab-dir DIR)'),

  // pharos lab
  PHAROS_LAB_CONFIGURE_FAILED: state('pharos configure on {host} failed: {output}'),
  PHAROS_LAB_DIR_NOT_ENTERABLE: input(
    '--dir {dir}: the {user} user (uid {uid}), which runs Patroni and PostgreSQL, cannot enter {blocked} (mode {mode}, owner uid {owner}); nothing was started. Use a directory it can reach (the default /var/tmp/pharos-lab, or a new one under /var/tmp), or let it through: chmod o+x {blocked}',
  ),
  PHAROS_LAB_DIR_UNCHECKED: state('cannot check --dir {dir} as the {user} user: {reason}'),
  PHAROS_LAB_DATA_NOT_REMOVED: state(
    "cannot remove the stopped lab's {path}: {reason}; remove it by hand, or use another --dir",
  ),
  PHAROS_LAB_ENDPOINTS_TAKEN: state(
    "cannot start the lab, {which} not available:\n  {endpoints}\nstop whatever listens there (ss -ltnp 'sport = :PORT' shows it) or use another topology",
  ),
  PHAROS_LAB_NOT_FOUND: state("no lab in {dir} (no lab.json): start one with 'pharos lab up --dir {dir}'"),
  PHAROS_LAB_NO_POSTGRES_USER: state(
    'running as root but there is no postgres OS user to run PostgreSQL as: install the postgresql package',
  ),
  PHAROS_LAB_POSTGRES_MISSING: state(
    'PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: run scripts/install-system.sh (apt-get install postgresql)',
  ),
  PHAROS_LAB_PROCESS_EXITED: state('{what} (pid {pid}) exited; end of {log}:\n{tail}'),
  PHAROS_LAB_PROGRAMS_MISSING: state('missing program{s}: {programs}; run scripts/install-system.sh'),
  PHAROS_LAB_RUNNING: state(
    "a lab is already running in {dir} ({count} processes, e.g. {example}); run 'pharos lab status --dir {dir}' or 'pharos lab down --dir {dir}' first",
  ),
  PHAROS_LAB_STATE_UNREADABLE: config(
    'lab state {path} is unreadable ({reason}); remove it after checking no lab process runs',
  ),
  PHAROS_LAB_TOPOLOGY_IN_DATA: input(
    '--topology {file} lies inside {path}, which lab up removes (the stopped lab in --dir); move the file out of the lab directory',
  ),
  PHAROS_LAB_STUCK: state('could not stop pids {pids}'),
  PHAROS_LAB_TIMEOUT: state('timed out after {seconds} s waiting for {what}{last}'),
  PHAROS_LAB_UP_FAILED: state('lab up failed: {reason}'),

  // the agent's spool
  PHAROS_SPOOL_STATE_MALFORMED: config(
    'spool state {path} is malformed ({reason}); move it away to start afresh',
  ),
  PHAROS_SPOOL_STATE_UNREADABLE: config('cannot read spool state {path}: {reason}'),

  // alerts
  PHAROS_ALERT_EMAIL_GROUP_UNKNOWN: input('alert {id}: there is no email group {groupId}'),
  PHAROS_ALERT_FIELD_UNKNOWN: input('unknown alert field(s): {fields}'),
  PHAROS_ALERT_INTERVAL_INVALID: input('alert {id}: interval must be a whole number of seconds above 0'),
  PHAROS_ALERT_NOT_FOUND: input('there is no alert {id}', 404),
  PHAROS_ALERT_NOT_RAISED: state('the alert is not raised'),
  PHAROS_ALERT_PARAMS_INVALID: input('alert {id}: params must be a JSON object'),
  PHAROS_ALERT_REMINDER_INVALID: input('alert {id}: reminder must be a whole number of seconds, 0 or more'),
  PHAROS_ALERT_THRESHOLDS_INVALID: input('alert {id}: {problem}'),

  // alert templates
  PHAROS_TEMPLATE_BUILT_IN: input('template {name} is built in; disable its alerts instead'),
  PHAROS_TEMPLATE_INTERVAL_INVALID: input('template {name}: interval must be whole seconds above 0'),
  PHAROS_TEMPLATE_IN_USE: input('template {name} is bound to {count} alert(s); delete them first'),
  PHAROS_TEMPLATE_LEVEL_INVALID: input('template {name}: level must be agent, server or database'),
  PHAROS_TEMPLATE_NAME_MISSING: input('a template needs a name'),
  PHAROS_TEMPLATE_NOT_FOUND: input('there is no template {name}', 404),
  PHAROS_TEMPLATE_PARAMS_INVALID: input('template {name}: params must be a JSON object'),
  PHAROS_TEMPLATE_SQL_FAILS: input('template {name}: its SQL fails: {error}'),
  PHAROS_TEMPLATE_SQL_TOO_SLOW: input(
    'template {name}: its SQL ran longer than {ms} ms when checked (the server cancelled it); make it cheaper',
  ),
  PHAROS_TEMPLATE_THRESHOLDS_INVALID: input('template {name}: {problem}'),

  // webhooks
  PHAROS_WEBHOOK_DISABLED: input('webhook {name} is disabled: enable it to send a test notification'),
  PHAROS_WEBHOOK_HEADER_INVALID: input('webhook {name}: header {header} is not a valid header'),
  PHAROS_WEBHOOK_HEADER_REFUSED: input(
    'webhook {name}: header {header} may not be set (Pharos sets it; it decides where and how the request goes)',
  ),
  PHAROS_WEBHOOK_METHOD_INVALID: input('webhook {name}: method must be POST or PUT'),
  PHAROS_WEBHOOK_NAME_MISSING: input('a webhook needs a name'),
  PHAROS_WEBHOOK_NAME_TAKEN: input('there is already a webhook named {name}'),
  PHAROS_WEBHOOK_NOT_FOUND: input('there is no webhook {id}', 404),
  PHAROS_WEBHOOK_PLACEHOLDER_UNKNOWN: input('webhook {name}: unknown placeholder(s) %{placeholders}%'),
  PHAROS_WEBHOOK_RETRIES_INVALID: input('webhook {name}: retries must be 0..100'),
  PHAROS_WEBHOOK_TIMEOUT_INVALID: input('webhook {name}: timeout must be 100..120000 ms'),
  PHAROS_WEBHOOK_URL_INVALID: input('webhook {name}: url is not a URL'),
  PHAROS_WEBHOOK_URL_CREDENTIALS: input(
    'webhook {name}: url may not carry credentials (user:password@); send them in a header such as Authorization',
  ),
  PHAROS_WEBHOOK_URL_SCHEME: input('webhook {name}: url must be http or https'),

  // email groups
  PHAROS_EMAIL_GROUP_ADDRESS_INVALID: input('email group {name}: not an address: {addresses}'),
  PHAROS_EMAIL_GROUP_NAME_MISSING: input('an email group needs a name'),
  PHAROS_EMAIL_GROUP_NAME_TAKEN: input('there is already an email group named {name}'),
  PHAROS_EMAIL_GROUP_NOT_FOUND: input('there is no email group {id}', 404),
  PHAROS_EMAIL_GROUP_NO_RECIPIENTS: input('email group {name}: no recipients'),

  // SMTP settings
  PHAROS_SMTP_HOST_MISSING: input('SMTP: host is required'),
  PHAROS_SMTP_PORT_INVALID: input('SMTP: port must be 1..65535'),
  PHAROS_SMTP_SECURITY_INVALID: input('SMTP: security must be starttls, tls or none'),
  PHAROS_SMTP_SENDER_INVALID: input('SMTP: the sender address is not an address'),
  PHAROS_SMTP_TIMEOUT_INVALID: input('SMTP: timeout must be 100..120000 ms'),
  PHAROS_SMTP_NOT_CONFIGURED: state(
    'no test email to {name}: SMTP is not configured (save and enable SMTP settings with a server and a sender first)',
  ),

  // notification deliveries
  PHAROS_DELIVERY_NOT_FAILED: state('only failed deliveries can be requeued'),
  PHAROS_DELIVERY_NOT_FOUND: input('there is no notification {id}', 404),

  // monitored servers (the fleet's SQL functions' messages name the field and the value)
  PHAROS_SERVER_DUPLICATE: input('{detail}', 409),
  PHAROS_SERVER_INVALID: input('{detail}'),
  PHAROS_SERVER_NAME_TAKEN: input('{detail}', 409),
  PHAROS_SERVER_NO_AGENT: input('server {id} ({name}) has no agent: set one first', 404),
  PHAROS_SERVER_NOT_FOUND: input('no server {id}', 404),
  PHAROS_SERVER_STATE: input('{detail}', 409),
  PHAROS_SERVER_TEST_FAILED: state('{detail}', 422),
  PHAROS_SERVER_TEST_TARGET_MISSING: input('{flag} is required without a registered server to test'),

  // monitored Patroni clusters
  PHAROS_CLUSTER_ADD_FAILED: state('{detail}', 422),
  PHAROS_CLUSTER_INVALID: input('{detail}'),
  PHAROS_CLUSTER_NAME_TAKEN: input('{detail}', 409),
  PHAROS_CLUSTER_NOT_FOUND: input('no cluster {id}', 404),
  PHAROS_CLUSTER_STATE: input('{detail}', 409),

  // maintenance windows (the SQL functions' messages name the field and the value)
  PHAROS_MAINTENANCE_INVALID: input('{detail}'),
  PHAROS_MAINTENANCE_NOT_FOUND: input('{detail}', 404),
  PHAROS_MAINTENANCE_STATE: input('{detail}', 409),
  PHAROS_MAINTENANCE_DURATION_INVALID: input(
    "{flag}: '{value}' is not a duration (e.g. 90m, 2h, 1h30m, 1d; from 1 minute to 7 days)",
  ),
  PHAROS_MAINTENANCE_EVERY_INVALID: input(
    "--every: '{value}' is not weekdays and a time (e.g. 'sun 02:00', 'mon,thu 22:30', 'daily 01:00')",
  ),
  PHAROS_MAINTENANCE_TARGET: input(
    'which objects? give exactly one of --server, --agent, --group or --fleet (got {got})',
  ),

  // agents of the fleet
  PHAROS_AGENT_ID_MISSING: input('--agent-id: which agent? (no {manifest} to take it from)'),
  PHAROS_AGENT_INVALID: input('{detail}'),
  PHAROS_AGENT_IN_USE: input('{detail}', 409),
  PHAROS_AGENT_NOT_FOUND: input('{detail}', 404),
  PHAROS_AGENT_UNREGISTER_HOW: input(
    '--url: give the web instance (or PHAROS_URL), or --superuser to unregister as the backend’s superuser',
  ),

  // enrolment tokens
  PHAROS_TOKEN_INVALID: input('{detail}'),
  PHAROS_TOKEN_NOT_FOUND: input('{detail}', 404),
  PHAROS_TOKEN_USED: input('{detail}', 409),

  // pharos agent enrol, POST /api/enrol
  PHAROS_ENROL_CA_FILE_MISSING: input(
    '--ca-file: the deployment’s CA file is required (it verifies the web instance and the backends)',
  ),
  PHAROS_ENROL_CONFIG_EXISTS: input(
    '--config: {path} exists: this host is enrolled already (unregister it first: pharos agent unregister --url ... --remove-files), or give another --config',
  ),
  PHAROS_ENROL_CONFIG_UNWRITABLE: input('--config: cannot write in {dir}: {reason}'),
  PHAROS_ENROL_CONFLICT: input('{detail}', 409),
  PHAROS_ENROL_FILES_FAILED: state(
    'agent {id} ({user}) is enrolled, but writing its files in {dir} failed: {reason}; unregister it (pharos agent unregister --url {url} --agent-id {id}) and enrol again with a new token',
    500,
  ),
  PHAROS_ENROL_INVALID: input('{detail}'),
  PHAROS_ENROL_NOT_POSSIBLE: input('{detail}', 409),
  PHAROS_ENROL_TOKEN_MISSING: input(
    '--token: the one-time token is required (set PHAROS_ENROL_TOKEN; pharos token create makes one)',
  ),
  PHAROS_ENROL_TOKEN_REFUSED: input('{detail}'),

  // agent tasks (test-connection, patroni-cluster)
  PHAROS_TASK_INVALID: input('{detail}'),
  PHAROS_TASK_PARAMS_INVALID: input('{task} parameters: {problems}'),
  PHAROS_TASK_SERVER_NOT_MONITORED: state('this agent does not monitor server {serverId}'),

  // cancel and terminate of a monitored server's backends
  PHAROS_SIGNAL_REASON_INVALID: input('reason: say why, in 1 to 500 characters'),

  // custom probes (issue 18)
  PHAROS_PROBE_CHECK_FAILED: input('{detail}', 422),
  PHAROS_PROBE_INVALID: input('{detail}'),
  PHAROS_PROBE_NAME_TAKEN: input('{detail}', 409),
  PHAROS_PROBE_NOT_FOUND: input('{detail}', 404),
  PHAROS_PROBE_SERVER_UNBOUND: input('serverId: server {serverId} has no agent to run the check', 409),

  // the CLI's client of the web API
  PHAROS_CLIENT_ANSWER_UNEXPECTED: connect('{what}: {message} (HTTP {status})', 502),
  PHAROS_CLIENT_CA_FILE_UNREADABLE: input('--ca-file: cannot read {path}: {reason}'),
  PHAROS_CLIENT_NO_SESSION: connect('login as {user}: the answer carried no session', 502),
  PHAROS_CLIENT_PASSWORD_MISSING: input(
    'the password of {user} is missing: set PHAROS_PASSWORD (or answer the prompt on a terminal)',
  ),
  PHAROS_CLIENT_UNREACHABLE: connect('cannot reach {origin}: {reason}'),
  PHAROS_CLIENT_URL_INVALID: input("--url: '{url}' is not a URL (e.g. https://pem-web-1:8443)"),
  PHAROS_CLIENT_URL_MISSING: input(
    '--url: the web instance’s address is required (e.g. https://pem-web-1:8443; or set PHAROS_URL)',
  ),
  PHAROS_CLIENT_URL_NOT_HTTPS: input("--url: '{url}' is not https: the API is served over TLS only"),

  // chart series
  PHAROS_SERIES_FIELD_UNKNOWN: input('fields: probe {probe} has no column {fields} (its columns: {columns})'),
  PHAROS_SERIES_NOT_HOST_PROBE: input('probe: {probe} is a {level} probe, not a host probe'),
  PHAROS_SERIES_POINTS_INVALID: input('points must be an integer from {min} to {max}'),
  PHAROS_SERIES_RANGE_EMPTY: input('the range is empty: "to" must be after "from"'),
  PHAROS_SERIES_PROBE_UNKNOWN: input("probe: no probe named '{probe}'"),
  PHAROS_SERIES_RANGE_TOO_LONG: input('the range is longer than {days} days'),
  PHAROS_SERIES_TIME_INVALID: input('{name} is not an ISO 8601 date-time: {text}'),

  // the web instance
  PHAROS_WEB_FILE_UNREADABLE: config('{field}: cannot read {path}: {reason}'),
  PHAROS_WEB_PASSWORD_FILE_EMPTY: config('password_file: {path} is empty'),
  PHAROS_WEB_UI_MISSING: config('the web UI has no index.html in {dir}'),

  // web login and sessions
  PHAROS_AUTH_ADMIN_ONLY: input('administrators only (pem_admin)', 403),
  PHAROS_AUTH_BAD_CREDENTIALS: input('wrong user name or password', 401),
  PHAROS_AUTH_CSRF: input('CSRF token missing or wrong', 403),
  PHAROS_AUTH_NOT_LOGGED_IN: input('not logged in', 401),
  PHAROS_AUTH_THROTTLED: input('too many refused logins; try again in {seconds} s', 429),
  PHAROS_AUTH_HEADER_INVALID: input('Authorization: only "Bearer <API token>" is accepted', 401),
  PHAROS_AUTH_TOKEN_INVALID: input('API token unknown or malformed', 401),
  PHAROS_AUTH_TOKEN_EXPIRED: input('API token expired', 401),
  PHAROS_AUTH_TOKEN_REVOKED: input('API token revoked', 401),
  PHAROS_AUTH_TOKEN_ROLE_REFUSED: input(
    'API token refused: its role may no longer use Pharos (dropped, no LOGIN, VALID UNTIL passed, or in neither pem_admin nor pem_user)',
    401,
  ),
  PHAROS_AUTH_SESSION_REQUIRED: input(
    '{what} needs a password login: an API token cannot be used for it',
    403,
  ),

  // API tokens (management)
  PHAROS_API_TOKEN_INVALID: input('{detail}'),
  PHAROS_API_TOKEN_NOT_FOUND: input('{detail}', 404),

  // Prometheus exposition (web /metrics; the agent's health endpoint)
  PHAROS_METRICS_LISTEN_FAILED: config('metrics_listen: cannot listen on {listen}: {reason}'),
  PHAROS_METRICS_UNAUTHENTICATED: input(
    'metrics need an API token (Authorization: Bearer) or a client certificate issued by the Pharos CA',
    401,
  ),

  // the web API (HTTP)
  PHAROS_API_BAD_REQUEST: input('{reason}'),
  PHAROS_API_BODY_TOO_LARGE: input('{reason}', 413),
  PHAROS_API_DATA_INVALID: input('the database refuses a value of the request: {reason}'),
  PHAROS_API_MEDIA_TYPE: input('{reason}', 415),
  PHAROS_API_NO_ROUTE: input('no route {method} {path}', 404),
  PHAROS_API_RATE_LIMITED: input('{reason}', 429),
  PHAROS_API_URL_TOO_LONG: input('a path parameter is longer than {max} characters', 414),
  PHAROS_API_VALIDATION: input('{reason}'),

  // the backend as the web instance sees it
  PHAROS_BACKEND_FAILING_OVER: connect('backend is failing over'),
  PHAROS_BACKEND_TIMEOUT: connect(
    'the backend is reachable but too slow: {detail} (a slow statement, or one waiting for a lock), so that statement changed nothing and will not be applied later. Try again; if it lasts, look for locks and long statements on the primary (pg_stat_activity)',
    504,
  ),

  // bugs: never expected; report them
  PHAROS_INTERNAL_COMMIT_ROLLED_BACK: internal(
    'COMMIT rolled the transaction back: a statement in it failed',
  ),
  PHAROS_INTERNAL_FLEET_CACHE: internal('the overview cache returned no answer'),
  PHAROS_INTERNAL_TRANSACTION_FINISHED: internal('transaction already finished'),
  PHAROS_INTERNAL_UNEXPECTED: internal('internal error'),
  PHAROS_INTERNAL_VENDOR_REWRITE: internal(
    'preact/hooks does not import "preact" as expected; check the vendor rewrite',
  ),
} as const satisfies Record<`PHAROS_${string}`, ErrorSpec>;

/** A catalogue code. */
export type ErrorCode = keyof typeof ERRORS;
