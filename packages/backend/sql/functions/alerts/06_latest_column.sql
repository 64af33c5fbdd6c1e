-- Template helper: column p_column of pem.latest_row(...) as a number (double precision), NULL
-- when there is no fresh row or no such column. Errors: 22P02 when the column is not a number.
-- The whole query of the templates that read one figure of a server or of the agent's host.
CREATE OR REPLACE FUNCTION pem.latest_column(p_agent_id integer, p_server_id integer, p_probe text, p_column text,
                                             p_max_age_s double precision)
RETURNS double precision LANGUAGE sql STABLE AS $$
  SELECT (l.value ->> p_column)::float8
    FROM pem.latest_row(p_agent_id, p_server_id, p_probe, p_max_age_s) l
$$;
