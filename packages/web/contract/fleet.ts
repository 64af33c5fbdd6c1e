/**
 * The fleet API's shapes as the browser reads them (issue 14;
 * docs/web-api.md "Fleet"): monitored servers, Patroni clusters, agents,
 * enrolment tokens, a connection test's answer, and the words the UI uses
 * for each test cause and sslmode. The API's routes declare their answers
 * with these types (packages/web/src/api/fleet-*.ts), so the server's
 * objects are checked against what the UI reads at build time; the UI's
 * pages (ui/pages/fleet/) are checked against them by `tsc -p
 * packages/web/ui`.
 */

/** sslmode values, safest first (libpq-connect.html "sslmode"). */
export const SSLMODES = ['verify-full', 'verify-ca', 'require', 'prefer', 'allow', 'disable'] as const;
export type Sslmode = (typeof SSLMODES)[number];

/** What each sslmode means for a monitoring connection, as the add form explains it. */
export const SSLMODE_TEXT: Record<Sslmode, string> = {
  'verify-full': 'TLS; the server’s certificate is signed by the CA and names the host (default)',
  'verify-ca': 'TLS; the certificate is signed by the CA, its name is not checked',
  require: 'TLS without checking who answers: only when the DBA decides so for this server',
  prefer: 'TLS if the server offers it, unverified',
  allow: 'plain unless the server insists on TLS',
  disable: 'no TLS',
};

/** Why a connection test failed (the agent's diagnosis; `agent-unavailable`: it did not answer). */
export const CONNECTION_CAUSES = [
  'refused',
  'unreachable',
  'timeout',
  'no-hba-rule',
  'authentication',
  'no-password',
  'tls',
  'no-database',
  'not-postgresql',
  'no-pg-monitor',
  'agent-unavailable',
  'other',
] as const;
export type ConnectionCause = (typeof CONNECTION_CAUSES)[number];

/**
 * Each cause's heading in the test's answer, and the form field it points at
 * (the field's input is marked; docs/monitoring-a-server.md "Add it" has the
 * table of what to do).
 */
export const CAUSE_TEXT: Record<ConnectionCause, { title: string; field: string | null }> = {
  refused: { title: 'Connection refused', field: 'host' },
  unreachable: { title: 'Host unreachable', field: 'host' },
  timeout: { title: 'No answer (timeout)', field: 'host' },
  'no-hba-rule': { title: 'No pg_hba.conf rule for the agent', field: 'host' },
  authentication: { title: 'Authentication failed', field: 'user' },
  'no-password': { title: 'The agent has no password', field: 'user' },
  tls: { title: 'TLS: the server did not prove its identity', field: 'sslmode' },
  'no-database': { title: 'No such database', field: 'maintenanceDb' },
  'not-postgresql': { title: 'Not PostgreSQL', field: 'host' },
  'no-pg-monitor': { title: 'The role is not a member of pg_monitor', field: 'user' },
  'agent-unavailable': { title: 'The agent did not answer', field: 'agentId' },
  other: { title: 'The test failed', field: null },
};

/** What the server is, once the test connected. */
export interface ServerFacts {
  version: string;
  versionNum: number;
  role: 'primary' | 'standby';
  tls: boolean;
  superuser: boolean;
  pgMonitor: boolean;
  pgStatStatements: boolean;
}

/** The answer of a connection test (POST /api/servers/test). */
export interface TestConnectionResult {
  ok: boolean;
  cause?: ConnectionCause;
  /** One or two sentences: what happened and, on failure, what to do. */
  message: string;
  detail?: string;
  sqlstate?: string;
  passfileLine?: string;
  warnings: string[];
  server?: ServerFacts;
  elapsedMs: number;
}

/** A monitored server (GET /api/servers). */
export interface MonitoredServer {
  id: number;
  displayName: string;
  host: string;
  port: number;
  maintenanceDb: string;
  user: string;
  sslmode: Sslmode;
  sslrootcert: string | null;
  agentId: number | null;
  agentName: string | null;
  tags: string[];
  notes: string;
  kind: 'standalone' | 'patroni-member';
  clusterId: number | null;
  clusterName: string | null;
  patroniMember: string | null;
  isPemBackend: boolean;
  active: boolean;
  createdBy: string | null;
  createdAt: string;
  observed: {
    role: 'primary' | 'standby' | null;
    patroniRole: string | null;
    patroniState: string | null;
    missingSince: string | null;
    up: boolean | null;
    error: string | null;
    lastSampleAgeS: number | null;
  };
}

/** What POST /api/servers/prepare answers: what the server needs before the agent can monitor it. */
export interface Preparation {
  roleSql: string[];
  hbaRule: string;
  hbaNote: string;
  passfileLine: string;
  passfileNote: string;
  tlsNote: string;
  testCommand: string;
}

/** An agent (GET /api/agents). */
export interface FleetAgentView {
  id: number;
  user: string;
  displayName: string;
  hostAddress: string | null;
  active: boolean;
  version: string | null;
  heartbeatAgeS: number | null;
  servers: number;
  pemBackend: boolean;
  registeredAt: string;
}

/** An enrolment token as listed (never the token). */
export interface EnrolmentToken {
  id: number;
  name: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  state: 'pending' | 'used' | 'revoked' | 'expired';
  usedAt: string | null;
  usedByAgent: number | null;
  usedFrom: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
}

/** A token just made: the only time it is shown. */
export interface CreatedToken {
  id: number;
  name: string;
  token: string;
  expiresAt: string;
}

/** Validity choices of a new token offered by the UI, seconds (the API takes 60 s to 30 days). */
export const TOKEN_VALIDITY: readonly { seconds: number; label: string }[] = [
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '24 hours' },
  { seconds: 604_800, label: '7 days' },
  { seconds: 2_592_000, label: '30 days' },
];

/** A member of a GET /cluster answer, with the fields Pharos keeps. */
export interface ClusterMember {
  name: string;
  role: string | null;
  state: string | null;
  host: string | null;
  port: number | null;
  api_url: string | null;
  timeline: number | null;
  lag: number | null;
}

/** What a cluster's REST API answered (POST /api/clusters/read). */
export interface ClusterReading {
  scope: string | null;
  endpoint: string;
  members: ClusterMember[];
}

/** A monitored Patroni cluster (GET /api/clusters). */
export interface MonitoredClusterView {
  id: number;
  name: string;
  scope: string | null;
  restEndpoints: string[];
  restCafile: string | null;
  agentId: number | null;
  agentName: string | null;
  memberDefaults: { user: string; sslmode: Sslmode; sslrootcert: string | null; maintenanceDb: string };
  tags: string[];
  notes: string;
  memberGraceS: number;
  createdBy: string | null;
  createdAt: string;
  observed: {
    at: string | null;
    ageS: number | null;
    from: string | null;
    leader: string | null;
    timeline: number | null;
    error: string | null;
    errorAt: string | null;
    problems: string[];
  };
  members: {
    serverId: number;
    displayName: string;
    member: string;
    host: string;
    port: number;
    role: string | null;
    state: string | null;
    lagBytes: number | null;
    agentId: number | null;
    agentName: string | null;
    missingSince: string | null;
  }[];
}

/** One member's test when a cluster is added. */
export interface MemberTest {
  member: string;
  host: string | null;
  port: number | null;
  agentId: number;
  test: TestConnectionResult;
}

/** Patroni roles whose member is the primary (a standby cluster's leader is not). */
export const PRIMARY_PATRONI_ROLES: readonly string[] = ['leader', 'master', 'primary'];
