-- Re-enabling an alert or changing its interval starts its schedule afresh (no "missed" slots for
-- the time it was off); any state change clears an acknowledgement (done in evaluation).
CREATE OR REPLACE FUNCTION pem.alert_reschedule() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF (NEW.enabled AND NOT OLD.enabled) OR NEW.interval_s <> OLD.interval_s THEN
    NEW.next_due := now();
  END IF;
  IF NOT NEW.enabled AND OLD.enabled THEN
    NEW.state := 'none';
    NEW.flapping := false;
    NEW.flap_bits := 0;
    NEW.flap_seen := 0;
  END IF;
  RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS alert_reschedule ON pem.alert;
CREATE TRIGGER alert_reschedule BEFORE UPDATE OF enabled, interval_s ON pem.alert
  FOR EACH ROW EXECUTE FUNCTION pem.alert_reschedule();
