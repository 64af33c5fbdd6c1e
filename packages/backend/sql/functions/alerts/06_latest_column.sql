-- Template helper: column p_column of pem.latest_row(...) as a number (double precision), NULL
-- when there is no fresh row or no such column. Errors: 22P02 when the column is not a number.
-- The whole query of the templates that read one figure of a server or of the agent's host.
-- PL/pgSQL, not SQL: a scalar SQL function whose body reads a table is never inlined, and
-- PostgreSQL 15 parses and plans its body again at every call made from a new statement, i.e. once
-- per alert (~0.3-2 ms, most of an evaluation: bench alerts --profile, docs/benchmarks.md); PL/pgSQL
-- keeps its statement's plan for the session (PostgreSQL docs §43.11.2, plan caching).
CREATE OR REPLACE FUNCTION pem.latest_column(p_agent_id integer, p_server_id integer, p_probe text, p_column text,
                                             p_max_age_s double precision)
RETURNS double precision LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT (l.value ->> p_column)::float8
            FROM pem.latest_row(p_agent_id, p_server_id, p_probe, p_max_age_s) l);
END $$;
