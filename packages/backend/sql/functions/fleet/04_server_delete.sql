-- Deletes monitored server p_id on behalf of p_actor, leaving nothing
-- behind but its history: its binding, alerts (with their history and
-- problems), probe settings, latest values, probe log entries and pending
-- rollup work go; its samples and chart rollups stay until retention unless
-- p_purge_history. The agent stops monitoring it within one short wait.
-- Returns what was removed: {"server": name, "alerts": n, "latest": n,
-- "probeLog": n, "historySamples": n, "historyRollups": n}.
-- Errors: P0002 (column id) when there is no such server (a second removal);
-- 55000 for a node of the PEM backend (removed with the backend).
-- Internal (no grant): pem.server_remove for administrators, and the
-- following of a monitored cluster (pem.cluster_remove, a member gone from
-- pem.agent_cluster_observed) call it.
CREATE OR REPLACE FUNCTION pem.server_delete(p_actor name, p_id integer, p_purge_history boolean)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  s pem.server;
  v_alerts integer;
  v_latest integer;
  v_log integer;
  v_samples bigint := 0;
  v_rollups bigint := 0;
BEGIN
  SELECT * INTO s FROM pem.server WHERE id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no server % (already removed?)', p_id USING ERRCODE = 'P0002', COLUMN = 'id';
  END IF;
  IF s.is_pem_backend THEN
    RAISE EXCEPTION 'server % (%) is a node of the PEM backend: it is not removed from monitoring on its own', p_id,
      s.display_name USING ERRCODE = '55000';
  END IF;
  SELECT count(*) INTO v_alerts FROM pem.alert WHERE server_id = p_id;
  DELETE FROM pemdata.latest WHERE server_id = p_id;
  GET DIAGNOSTICS v_latest = ROW_COUNT;
  DELETE FROM pem.probe_log WHERE server_id = p_id;
  GET DIAGNOSTICS v_log = ROW_COUNT;
  DELETE FROM pemhistory.rollup_dirty WHERE server_id = p_id;
  IF p_purge_history THEN
    DELETE FROM pemhistory.sample WHERE server_id = p_id;
    GET DIAGNOSTICS v_samples = ROW_COUNT;
    -- the compacted days (migration 019): counted as the samples they hold
    v_samples := v_samples + coalesce((SELECT sum(b.n) FROM pemhistory.sample_block b
                                         JOIN pemhistory.source x ON x.id = b.source_id WHERE x.server_id = p_id), 0);
    DELETE FROM pemhistory.field_block b USING pemhistory.source x WHERE x.id = b.source_id AND x.server_id = p_id;
    DELETE FROM pemhistory.sample_block b USING pemhistory.source x WHERE x.id = b.source_id AND x.server_id = p_id;
    DELETE FROM pemhistory.source WHERE server_id = p_id;
    DELETE FROM pemhistory.rollup WHERE server_id = p_id;
    GET DIAGNOSTICS v_rollups = ROW_COUNT;
  END IF;
  -- binding, alerts (and their history, problems, evaluation log), probe overrides: ON DELETE CASCADE
  DELETE FROM pem.server WHERE id = p_id;
  RETURN jsonb_build_object('server', s.display_name, 'alerts', v_alerts, 'latest', v_latest, 'probeLog', v_log,
                            'historySamples', v_samples, 'historyRollups', v_rollups, 'removedBy', p_actor);
END $$;
