/**
 * The reference's `configure-pem-server.sh` flags (docs/reference/pem-facts.md §1). Its
 * short flags have several letters (`-ho`, `-su`), which commander (and
 * POSIX getopt) cannot express, so they are rewritten to their long form
 * before parsing. A command line copied from the reference thus works with
 * `pharos configure` in place of the script's path.
 */

/** Short flag -> long flag, as the reference script defines them. */
export const CONFIGURE_SHORT_FLAGS: Readonly<Record<string, string>> = {
  '-t': '--type',
  '-ho': '--host',
  '-p': '--port',
  '-su': '--superuser',
  '-sp': '--superpassword',
  '-ci': '--cidr-address',
  '-dbi': '--db-install-path',
  '-ds': '--db-unitfile',
  '-kdc': '--skip-db-certificate',
  '-kwc': '--skip-web-certificate',
  '-scs': '--server-certificate-subject',
  '-nhc': '--no-hba-change',
  '-utd': '--use-trusted-ssl-db-certificates',
  '-ues': '--use-existing-sslutils',
  '-au': '--use-agent-user',
  '-uac': '--use-agent-sslcert',
  '-uak': '--use-agent-sslkey',
  '-acp': '--pemagent-certificate-path',
  '-arp': '--agent-register-param',
  '-aro': '--agent-register-overrider',
  '-srp': '--server-register-param',
  '-bhn': '--asb-host-name',
  '-ps': '--pemagent-servicename',
  '-un': '--uninstall-pem-server',
};

/** Rewrites the reference's multi-letter short flags in `args` to long flags; other words pass unchanged. */
export function expandConfigureFlags(args: string[]): string[] {
  return args.map((a) => CONFIGURE_SHORT_FLAGS[a] ?? a);
}
