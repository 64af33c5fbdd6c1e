/**
 * Patroni's database users and the SQL that creates them, reference document
 * "Create Patroni users".
 */
import { randomBytes } from 'node:crypto';
import { pharosError } from '@pharos/core/errors';

/** The reference's Patroni role names, keyed as in Patroni's `postgresql.authentication`. */
export const PATRONI_USERS = {
  superuser: 'patroni_super',
  replication: 'patroni_rep',
  rewind: 'patroni_rew',
} as const;

/** Passwords of the three Patroni users, keyed as in Patroni's `postgresql.authentication`. */
export interface PatroniSecrets {
  superuser: string;
  replication: string;
  rewind: string;
}

/** Three random passwords (24 bytes each, base64url: 32 characters). */
export function generatePatroniSecrets(): PatroniSecrets {
  const pw = () => randomBytes(24).toString('base64url');
  return { superuser: pw(), replication: pw(), rewind: pw() };
}

/**
 * A PostgreSQL string literal: single quotes, inner quotes doubled. Valid
 * with standard_conforming_strings on (the default since PostgreSQL 9.1).
 * @throws InputError for a NUL character, which no PostgreSQL string holds.
 */
export function sqlLiteral(value: string): string {
  if (value.includes('\0')) throw pharosError('PHAROS_PLAN_PASSWORD_NUL');
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * The reference's SQL, run as a superuser on the primary only: creates
 * patroni_super (SUPERUSER), patroni_rep (REPLICATION), patroni_rew and
 * grants patroni_rew the four functions pg_rewind needs (pg_ls_dir,
 * pg_stat_file, both pg_read_binary_file forms). Passwords from `secrets`,
 * as quoted literals.
 */
export function patroniUsersSql(secrets: PatroniSecrets): string {
  const { superuser, replication, rewind } = PATRONI_USERS;
  return [
    '-- Patroni superuser',
    `CREATE USER ${superuser} WITH SUPERUSER ENCRYPTED PASSWORD ${sqlLiteral(secrets.superuser)};`,
    '-- Patroni replication user',
    `CREATE USER ${replication} WITH REPLICATION ENCRYPTED PASSWORD ${sqlLiteral(secrets.replication)};`,
    '-- Patroni rewind user (use_pg_rewind is on)',
    `CREATE USER ${rewind} WITH ENCRYPTED PASSWORD ${sqlLiteral(secrets.rewind)};`,
    `GRANT EXECUTE ON function pg_catalog.pg_ls_dir(text, boolean, boolean) TO ${rewind};`,
    `GRANT EXECUTE ON function pg_catalog.pg_stat_file(text, boolean) TO ${rewind};`,
    `GRANT EXECUTE ON function pg_catalog.pg_read_binary_file(text) TO ${rewind};`,
    `GRANT EXECUTE ON function pg_catalog.pg_read_binary_file(text, bigint, bigint, boolean) TO ${rewind};`,
    '',
  ].join('\n');
}
