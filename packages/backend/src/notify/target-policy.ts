/**
 * Where a webhook may be delivered (security review H1: a webhook is a
 * request the agents on the backend hosts send, so without a policy a web
 * admin reaches Patroni's REST API, etcd and anything else inside the
 * deployment). The policy judges the ADDRESS a request would connect to,
 * after name resolution, so every spelling of a host (a name, decimal,
 * octal or hex IPv4 — which the WHATWG URL parser and getaddrinfo turn into
 * dotted quads —, IPv6, IPv4-mapped and other IPv6 forms that embed an IPv4
 * address) is judged by what it is. By default it refuses:
 *
 * - addresses that are never a webhook receiver: unspecified (0.0.0.0/8,
 *   ::), loopback (127.0.0.0/8, ::1), link-local (169.254.0.0/16 — cloud
 *   metadata services —, fe80::/10), multicast, broadcast and reserved
 *   ranges (IANA special-purpose registries, as classified by ipaddr.js);
 *   IPv6 forms that embed an IPv4 address (::ffff:a.b.c.d, ::a.b.c.d,
 *   64:ff9b::/96, 2002::/16) are judged by the embedded address too;
 * - the deployment's own hosts, at any port: the addresses the backend knows
 *   (registered agents' host addresses, servers, the backends of the agent's
 *   own connection string; see {@link DeploymentAddresses}) plus
 *   `webhook_refuse` of agent.yml;
 * - the infrastructure's ports at any address: PostgreSQL 5432, Patroni's
 *   REST API 8008, etcd 2379/2380 ({@link INFRASTRUCTURE_PORTS}), so
 *   another cluster's Patroni or etcd (a monitored one, Kubernetes') is
 *   not reachable either.
 *
 * Private ranges (10/8, 172.16/12, 192.168/16, fc00::/7, 100.64/10) are
 * allowed: internal receivers (chat bridges, Alertmanager, ticketing relays)
 * commonly live there, and what must not be reached inside them — this
 * deployment — is refused by identity instead. `webhook_allow` in agent.yml
 * (never settable from the web application: the agents deliver, and their
 * configuration is a root-owned file on their host) lists exceptions, as
 * addresses or CIDR ranges with an optional port; an exception wins over
 * every refusal. Host names are not accepted there: what a name resolves to
 * is what the policy judges. docs/alerts.md "Where webhooks may go" is the
 * operator's version of this.
 */
import ipaddr from 'ipaddr.js';

type Ip = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * Ports refused at every address: PostgreSQL (5432), Patroni's REST API
 * (8008), etcd clients and peers (2379, 2380) — the reference deployment's
 * ports (docs/reference/pem-facts.md §1; DESIGN.md §1).
 */
export const INFRASTRUCTURE_PORTS: Readonly<Record<number, string>> = {
  5432: 'PostgreSQL',
  8008: "Patroni's REST API",
  2379: 'etcd (clients)',
  2380: 'etcd (peers)',
};

/** IPv4 ranges (ipaddr.js names) refused by default, with the words an error uses. */
const REFUSED_V4: Readonly<Record<string, string>> = {
  unspecified: 'an unspecified address',
  loopback: 'a loopback address',
  linkLocal: 'a link-local address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
  as112: 'a reserved address',
  amt: 'a reserved address',
};

/** IPv6 ranges refused by default (the IPv4-embedding ones are judged by their IPv4 part as well). */
const REFUSED_V6: Readonly<Record<string, string>> = {
  unspecified: 'an unspecified address',
  loopback: 'a loopback address',
  linkLocal: 'a link-local address',
  deprecatedSiteLocal: 'a site-local address',
  multicast: 'a multicast address',
  reserved: 'a reserved address',
  discard: 'a reserved address',
  benchmarking: 'a reserved address',
  teredo: 'a Teredo address',
  amt: 'a reserved address',
  as112v6: 'a reserved address',
  orchid2: 'a reserved address',
  deprecatedOrchid: 'a reserved address',
  droneRemoteIdProtocolEntityTags: 'a reserved address',
  segmentRouting: 'a reserved address',
};

/** One `webhook_allow` entry: a CIDR range (a single address is /32 or /128) and maybe a port. */
export interface AllowRule {
  text: string;
  range: [Ip, number];
  port?: number;
}

/**
 * Parses one `webhook_allow` / `webhook_refuse` entry: `10.1.2.3`,
 * `10.1.0.0/16`, `10.1.2.3:8080`, `10.1.0.0/16:8080`, `fd00::/8`,
 * `[fd00::1]:8080`, `[fd00::/8]:8080`. IPv4 in dotted-quad form only.
 * Throws Error (naming the entry and the accepted forms) for anything else,
 * host names included.
 */
export function parseAddressRule(text: string): AllowRule {
  const bad = (why: string) =>
    new Error(
      `'${text}' ${why}: write an address or CIDR range with an optional port (10.1.2.3, 10.1.0.0/16:8080, [fd00::1]:8080); host names are not accepted`,
    );
  let addr = text.trim();
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(addr);
  if (bracketed) {
    addr = bracketed[1]!;
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
  } else if (/^[^:]+:\d+$/.test(addr)) {
    const i = addr.lastIndexOf(':');
    port = Number(addr.slice(i + 1));
    addr = addr.slice(0, i);
  }
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535))
    throw bad('has a port outside 1..65535');
  const withPrefix = addr.includes('/') ? addr : `${addr}/${addr.includes(':') ? 128 : 32}`;
  const v4 = !addr.includes(':');
  const valid = v4 ? ipaddr.IPv4.isValidCIDRFourPartDecimal(withPrefix) : ipaddr.IPv6.isValidCIDR(withPrefix);
  if (!valid) throw bad('is not an address or CIDR range');
  const range = ipaddr.parseCIDR(withPrefix);
  return port === undefined ? { text, range } : { text, range, port };
}

/** The address as ipaddr.js reads it, IPv4-mapped IPv6 turned into IPv4; undefined when not an address. */
function parseIp(address: string): Ip | undefined {
  const a = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (!ipaddr.isValid(a)) return undefined;
  // strict forms only: a resolved or URL-normalised address is dotted-quad IPv4 or IPv6
  if (!a.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(a)) return undefined;
  return ipaddr.process(a);
}

/** The IPv4 address an IPv6 address embeds (IPv4-mapped/-compatible/-translated, NAT64, 6to4), if any. */
function embeddedV4(ip: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const p = ip.parts;
  const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  const range = ip.range();
  if (range === 'ipv4Mapped' || range === 'rfc6145' || range === 'rfc6052') return v4(p[6]!, p[7]!);
  if (range === '6to4') return v4(p[1]!, p[2]!);
  // IPv4-compatible (::a.b.c.d, deprecated by RFC 4291), other than :: and ::1
  if (p.slice(0, 6).every((x) => x === 0) && (p[6]! !== 0 || p[7]! > 1)) return v4(p[6]!, p[7]!);
  return undefined;
}

/** A canonical text of an address, to compare addresses written differently (::ffff:10.0.0.1 = 10.0.0.1). */
export function addressKey(address: string): string | undefined {
  const ip = parseIp(address);
  if (!ip) return undefined;
  return ip.kind() === 'ipv6' ? (ip as ipaddr.IPv6).toNormalizedString() : ip.toString();
}

/** Options of {@link WebhookTargetPolicy}. */
export interface TargetPolicyOptions {
  /** `webhook_allow` entries (see {@link parseAddressRule}): exceptions to every refusal. */
  allow?: readonly string[];
  /** `webhook_refuse` entries: more addresses/ranges (and ports) refused, e.g. etcd members on other ports. */
  refuse?: readonly string[];
  /** Ports refused at every address (default {@link INFRASTRUCTURE_PORTS}). */
  refusedPorts?: Readonly<Record<number, string>>;
  /**
   * The deployment's own addresses (any spelling {@link addressKey} reads), refused at
   * every port; asked at each check (it may cache). Default: none.
   */
  deploymentAddresses?: () => Promise<ReadonlySet<string>> | ReadonlySet<string>;
}

/** Decides whether a webhook may connect to an address and port (module doc). */
export class WebhookTargetPolicy {
  readonly #allow: AllowRule[];
  readonly #refuse: AllowRule[];
  readonly #ports: Readonly<Record<number, string>>;
  readonly #deployment: TargetPolicyOptions['deploymentAddresses'];

  /** Throws Error naming a malformed `allow`/`refuse` entry. */
  constructor(o: TargetPolicyOptions = {}) {
    this.#allow = (o.allow ?? []).map(parseAddressRule);
    this.#refuse = (o.refuse ?? []).map(parseAddressRule);
    this.#ports = o.refusedPorts ?? INFRASTRUCTURE_PORTS;
    this.#deployment = o.deploymentAddresses;
  }

  /**
   * Why `address`:`port` is refused, in words ("a loopback address", "port
   * 8008 (Patroni's REST API)", "an address of this deployment"), or
   * undefined when it may be used. Something that is not an IP address is
   * refused. Never throws for a refusal; rethrows the deployment provider's error.
   */
  async refusal(address: string, port: number): Promise<string | undefined> {
    const ip = parseIp(address);
    if (!ip) return 'not an IP address';
    const matches = (r: AllowRule, a: Ip) =>
      a.kind() === r.range[0].kind() && a.match(r.range) && (r.port === undefined || r.port === port);
    if (this.#allow.some((r) => matches(r, ip))) return undefined;
    // an IPv6 address that embeds an IPv4 one (NAT64, 6to4, IPv4-compatible) reaches that one too
    const inner = ip.kind() === 'ipv6' ? embeddedV4(ip as ipaddr.IPv6) : undefined;
    const embedded = inner ? ` (embedded in ${(ip as ipaddr.IPv6).toRFC5952String()})` : '';
    const own = this.#deployment ? await this.#deployment() : undefined;
    const ownKeys = new Set([...(own ?? [])].map(addressKey));
    for (const [a, suffix] of inner
      ? ([
          [ip, ''],
          [inner, embedded],
        ] as const)
      : ([[ip, '']] as const)) {
      const special = specialRange(a);
      if (special) return `${special}${suffix}`;
      const refused = this.#refuse.find((r) => matches(r, a));
      if (refused) return `refused by webhook_refuse ${refused.text}${suffix}`;
      if (ownKeys.has(addressKey(a.toString())))
        return `an address of this deployment (a backend, web or agent host, or a monitored server)${suffix}`;
    }
    if (this.#ports[port] !== undefined) return `port ${port} (${this.#ports[port]})`;
    return undefined;
  }
}

/** The words for an always-refused range `ip` is in, or undefined. */
function specialRange(ip: Ip): string | undefined {
  return ip.kind() === 'ipv4'
    ? REFUSED_V4[(ip as ipaddr.IPv4).range()]
    : REFUSED_V6[(ip as ipaddr.IPv6).range()];
}
