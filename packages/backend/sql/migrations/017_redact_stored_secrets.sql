-- Takes the passwords out of SQL texts already stored (security): before
-- agents passed every probe text through redactSecrets
-- (packages/agent/src/probes/redact-secrets.ts), `statement_texts` stored
-- utility statements as pg_stat_statements keeps them, constants and all
-- (`CREATE ROLE pem_monitor LOGIN PASSWORD '...'`), and every pem_user's Top
-- SQL page showed them. The same two replacements as the agent's, in
-- PostgreSQL's regular expressions (functions-matching.html §9.7.3: \m is
-- the start of a word; the 'g' flag replaces every match, 'i' ignores case),
-- on every string field of every stored value that mentions a password:
-- the literal after PASSWORD, and password= in a connection string.
-- A data move, applied once. Only `statement_texts` and custom probes carry
-- SQL texts (the built-in probes' other texts are names and states); only
-- values that hold `password '` or `password=` are rewritten. It reads
-- every sample of those probes once (a scan of the history).
CREATE TEMPORARY TABLE pg_temp.redact_pattern (literal text, conninfo text) ON COMMIT DROP;
INSERT INTO pg_temp.redact_pattern VALUES (
  $re$(\mpassword\s+)(E'([^'\\]|''|\\.)*('|$)|'([^']|'')*('|$))$re$,
  $re$(\mpassword\s*=\s*)('([^'\\]|\\.)*('|$)|\\'([^'\\]|\\.)*(\\'|$)|[^\s']+)$re$
);

-- The same UPDATE on the history and on the latest values.
DO $do$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['pemhistory.sample', 'pemdata.latest'] LOOP
    EXECUTE format($u$
      UPDATE %s s
         SET value = (SELECT jsonb_object_agg(k, CASE WHEN jsonb_typeof(v) = 'string'
                             THEN to_jsonb(regexp_replace(regexp_replace(v #>> '{}', p.literal, $r$\1'***'$r$, 'gi'),
                                                          p.conninfo, $r$\1***$r$, 'gi'))
                             ELSE v END)
                        FROM jsonb_each(s.value) AS e(k, v), pg_temp.redact_pattern p)
       WHERE (s.probe = 'statement_texts' OR s.probe IN (SELECT name FROM pem.probe WHERE custom))
         AND jsonb_typeof(s.value) = 'object' AND s.value::text ~* $re$\mpassword\s+E?'|\mpassword\s*=$re$$u$, t);
  END LOOP;
END $do$;
