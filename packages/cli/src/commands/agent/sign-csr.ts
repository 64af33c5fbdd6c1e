/**
 * `pharos agent sign-csr`: signs an agent CSR with the built-in CA. PostgreSQL
 * runs it on the primary during registration (COPY ... FROM PROGRAM); what it
 * does is in registration.ts.
 */
import type { Command } from 'commander';

/** Registers `agent sign-csr` on the `agent` command group. */
export function registerAgentSignCsr(agent: Command): void {
  agent
    .command('sign-csr')
    .description(
      'sign an agent CSR with the built-in CA (run by PostgreSQL on the primary during registration)',
    )
    .requiredOption('--cn <user>', 'the agent user the certificate is for')
    .requiredOption('--csr <base64>', 'the CSR (PEM, base64-encoded)')
    .option('--days <n>', 'validity, days', '365')
    .option('--ca-cert <file>', 'CA certificate (relative to the current directory)', 'ca_certificate.crt')
    .option('--ca-key <file>', 'CA key, mode 0600', 'ca_key.key')
    .action(async (f: { cn: string; csr: string; days: string; caCert: string; caKey: string }) =>
      (await import('./registration.js')).signCsrCommand(f),
    );
}
