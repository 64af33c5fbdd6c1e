-- Raises 42501 unless agent p_agent_id may do p_what ('evaluate' or 'notify').
CREATE OR REPLACE FUNCTION pem.require_alert_worker(p_agent_id integer, p_what text)
RETURNS void LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  s record;
BEGIN
  s := pem.alert_worker_settings(p_agent_id);
  IF (p_what = 'evaluate' AND NOT s.evaluate) OR (p_what = 'notify' AND NOT s.notify) THEN
    RAISE EXCEPTION 'agent % is not configured to % (pem.agent_alert_settings; default: backend agents only)',
      p_agent_id, CASE p_what WHEN 'evaluate' THEN 'evaluate alerts' ELSE 'send notifications' END
      USING ERRCODE = '42501';
  END IF;
END $$;
