-- Starts (records) a maintenance window on behalf of p_actor and returns its
-- id. p_spec is the API's body (docs/web-api.md "Maintenance windows"):
--   scope     'server' | 'agent' | 'group' | 'fleet'
--   serverId  (scope server), agentId (scope agent), group (scope group: a server tag)
--   schedule  'once' (default) | 'weekly'
--   startsAt  ISO 8601 timestamp with offset; default now. once: the start;
--             weekly: the recurrence applies from then on
--   endsAt    once: the end (or durationS); weekly: the recurrence's end (optional)
--   durationS once: instead of endsAt; weekly: each occurrence's length, seconds (60 .. 604800)
--   weekdays  weekly: ISO weekdays, 1 = Monday .. 7 = Sunday
--   startTime weekly: local time 'HH:MM' in timeZone
--   timeZone  weekly: an IANA time zone name (pg_timezone_names), e.g. 'Europe/Paris'
--   reason    why (required, 1..500 characters)
-- Errors name the field in COLUMN: 22023 a value that is not valid (a once
-- window already over, an unknown time zone, fields of the other scope or
-- schedule); P0002 (serverId, agentId) an unknown server or agent.
CREATE OR REPLACE FUNCTION pem.maintenance_start(p_actor name, p_spec jsonb)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_scope text := p_spec ->> 'scope';
  v_schedule text := coalesce(p_spec ->> 'schedule', 'once');
  v_reason text := btrim(coalesce(p_spec ->> 'reason', ''));
  v_server integer;
  v_agent integer;
  v_group text;
  v_starts timestamptz;
  v_ends timestamptz;
  v_duration integer;
  v_weekdays smallint[];
  v_time time;
  v_tz text;
  v_id integer;
  k text;
BEGIN
  IF v_scope IS NULL OR v_scope NOT IN ('server', 'agent', 'group', 'fleet') THEN
    RAISE EXCEPTION 'scope: must be server, agent, group or fleet (got %)', coalesce(v_scope, 'nothing')
      USING ERRCODE = '22023', COLUMN = 'scope';
  END IF;
  IF v_schedule NOT IN ('once', 'weekly') THEN
    RAISE EXCEPTION 'schedule: must be once or weekly (got %)', v_schedule USING ERRCODE = '22023', COLUMN = 'schedule';
  END IF;
  IF v_reason = '' OR length(v_reason) > 500 THEN
    RAISE EXCEPTION 'reason: say why, in 1 to 500 characters' USING ERRCODE = '22023', COLUMN = 'reason';
  END IF;
  -- the target: exactly the field of the scope
  FOREACH k IN ARRAY ARRAY['serverId', 'agentId', 'group'] LOOP
    IF p_spec ? k AND k <> (CASE v_scope WHEN 'server' THEN 'serverId' WHEN 'agent' THEN 'agentId'
                                         WHEN 'group' THEN 'group' ELSE '' END) THEN
      RAISE EXCEPTION '%: not for a window on %', k, CASE v_scope WHEN 'fleet' THEN 'the whole fleet' ELSE 'a ' || v_scope END
        USING ERRCODE = '22023', COLUMN = k;
    END IF;
  END LOOP;
  IF v_scope = 'server' THEN
    IF (p_spec ->> 'serverId') !~ '^[0-9]{1,9}$' THEN
      RAISE EXCEPTION 'serverId: a server id, got %', coalesce(p_spec -> 'serverId', 'nothing') USING ERRCODE = '22023', COLUMN = 'serverId';
    END IF;
    v_server := (p_spec ->> 'serverId')::integer;
    IF v_server IS NULL THEN
      RAISE EXCEPTION 'serverId: required for a window on a server' USING ERRCODE = '22023', COLUMN = 'serverId';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pem.server WHERE id = v_server) THEN
      RAISE EXCEPTION 'serverId: no server %', v_server USING ERRCODE = 'P0002', COLUMN = 'serverId';
    END IF;
  ELSIF v_scope = 'agent' THEN
    IF (p_spec ->> 'agentId') !~ '^[0-9]{1,9}$' THEN
      RAISE EXCEPTION 'agentId: an agent id, got %', coalesce(p_spec -> 'agentId', 'nothing') USING ERRCODE = '22023', COLUMN = 'agentId';
    END IF;
    v_agent := (p_spec ->> 'agentId')::integer;
    IF v_agent IS NULL THEN
      RAISE EXCEPTION 'agentId: required for a window on an agent' USING ERRCODE = '22023', COLUMN = 'agentId';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pem.agent WHERE id = v_agent) THEN
      RAISE EXCEPTION 'agentId: no agent %', v_agent USING ERRCODE = 'P0002', COLUMN = 'agentId';
    END IF;
  ELSIF v_scope = 'group' THEN
    v_group := btrim(coalesce(p_spec ->> 'group', ''));
    IF v_group = '' OR length(v_group) > 100 THEN
      RAISE EXCEPTION 'group: required for a window on a group: a server tag (1 to 100 characters)'
        USING ERRCODE = '22023', COLUMN = 'group';
    END IF;
  END IF;

  -- the schedule
  BEGIN
    v_starts := coalesce((p_spec ->> 'startsAt')::timestamptz, now());
  EXCEPTION WHEN data_exception THEN
    RAISE EXCEPTION 'startsAt: not a timestamp: %', p_spec ->> 'startsAt' USING ERRCODE = '22023', COLUMN = 'startsAt';
  END;
  BEGIN
    v_ends := (p_spec ->> 'endsAt')::timestamptz;
  EXCEPTION WHEN data_exception THEN
    RAISE EXCEPTION 'endsAt: not a timestamp: %', p_spec ->> 'endsAt' USING ERRCODE = '22023', COLUMN = 'endsAt';
  END;
  IF NOT isfinite(v_starts) OR v_starts > now() + interval '10 years' OR v_starts < now() - interval '10 years' THEN
    RAISE EXCEPTION 'startsAt: % is not within ten years of now', p_spec ->> 'startsAt' USING ERRCODE = '22023', COLUMN = 'startsAt';
  END IF;
  IF v_ends IS NOT NULL AND (NOT isfinite(v_ends) OR v_ends > now() + interval '20 years') THEN
    RAISE EXCEPTION 'endsAt: % is not within twenty years of now', p_spec ->> 'endsAt' USING ERRCODE = '22023', COLUMN = 'endsAt';
  END IF;
  IF jsonb_typeof(p_spec -> 'durationS') NOT IN ('number', 'null') OR (p_spec ->> 'durationS') !~ '^[0-9]{1,7}$' THEN
    RAISE EXCEPTION 'durationS: a whole number of seconds, got %', p_spec -> 'durationS' USING ERRCODE = '22023', COLUMN = 'durationS';
  END IF;
  v_duration := (p_spec ->> 'durationS')::integer;
  IF v_duration IS NOT NULL AND v_duration NOT BETWEEN 60 AND 604800 THEN
    RAISE EXCEPTION 'durationS: must be between 60 s and 7 days (604800 s), got %', v_duration
      USING ERRCODE = '22023', COLUMN = 'durationS';
  END IF;
  IF v_schedule = 'once' THEN
    FOREACH k IN ARRAY ARRAY['weekdays', 'startTime', 'timeZone'] LOOP
      IF p_spec ? k THEN
        RAISE EXCEPTION '%: only for a weekly window (schedule weekly)', k USING ERRCODE = '22023', COLUMN = k;
      END IF;
    END LOOP;
    IF (v_ends IS NULL) = (v_duration IS NULL) THEN
      k := CASE WHEN v_ends IS NULL THEN 'durationS' ELSE 'endsAt' END;
      RAISE EXCEPTION '%: give either the end (endsAt) or the length (durationS) of the window', k
        USING ERRCODE = '22023', COLUMN = k;
    END IF;
    v_ends := coalesce(v_ends, v_starts + make_interval(secs => v_duration));
    v_duration := NULL;
    IF v_ends <= v_starts THEN
      RAISE EXCEPTION 'endsAt: % is not after the start %', v_ends, v_starts USING ERRCODE = '22023', COLUMN = 'endsAt';
    END IF;
    IF v_ends <= now() THEN
      RAISE EXCEPTION 'endsAt: % is already over', v_ends USING ERRCODE = '22023', COLUMN = 'endsAt';
    END IF;
    IF v_ends - v_starts > interval '31 days' THEN
      RAISE EXCEPTION 'endsAt: a one-off window lasts at most 31 days (use a weekly one)'
        USING ERRCODE = '22023', COLUMN = 'endsAt';
    END IF;
  ELSE
    IF v_duration IS NULL THEN
      RAISE EXCEPTION 'durationS: required for a weekly window (each occurrence''s length)'
        USING ERRCODE = '22023', COLUMN = 'durationS';
    END IF;
    IF jsonb_typeof(p_spec -> 'weekdays') IS DISTINCT FROM 'array' OR jsonb_array_length(p_spec -> 'weekdays') = 0
       OR EXISTS (SELECT 1 FROM jsonb_array_elements(p_spec -> 'weekdays') d
                   WHERE jsonb_typeof(d) <> 'number' OR d::text !~ '^[1-7]$') THEN
      RAISE EXCEPTION 'weekdays: one or more ISO weekdays, 1 = Monday .. 7 = Sunday' USING ERRCODE = '22023', COLUMN = 'weekdays';
    END IF;
    SELECT array_agg(DISTINCT d::text::smallint ORDER BY d::text::smallint) INTO v_weekdays
      FROM jsonb_array_elements(p_spec -> 'weekdays') d;
    IF coalesce(p_spec ->> 'startTime', '') !~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' THEN
      RAISE EXCEPTION 'startTime: a local time HH:MM (00:00 .. 23:59), got %', coalesce(p_spec ->> 'startTime', 'nothing')
        USING ERRCODE = '22023', COLUMN = 'startTime';
    END IF;
    v_time := (p_spec ->> 'startTime')::time;
    v_tz := p_spec ->> 'timeZone';
    IF v_tz IS NULL OR NOT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = v_tz) THEN
      RAISE EXCEPTION 'timeZone: % is not an IANA time zone name (e.g. Europe/Paris, America/New_York, UTC)',
        coalesce(v_tz, 'nothing') USING ERRCODE = '22023', COLUMN = 'timeZone';
    END IF;
    IF v_ends IS NOT NULL AND v_ends <= greatest(v_starts, now()) THEN
      RAISE EXCEPTION 'endsAt: the recurrence''s end % is not after its start', v_ends
        USING ERRCODE = '22023', COLUMN = 'endsAt';
    END IF;
  END IF;

  INSERT INTO pem.maintenance_window (scope, server_id, agent_id, group_tag, schedule, starts_at, ends_at, weekdays,
                                      start_time, duration_s, time_zone, reason, created_by)
  VALUES (v_scope, v_server, v_agent, v_group, v_schedule, v_starts, v_ends, v_weekdays, v_time, v_duration, v_tz,
          v_reason, p_actor)
  RETURNING id INTO v_id;
  RETURN v_id;
END $$;
