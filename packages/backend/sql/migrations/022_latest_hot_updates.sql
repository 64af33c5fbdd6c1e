-- Pharos backend schema: ingest's updates of pemdata.latest become HOT again. DDL only.
--
-- Every ship batch moves each of its objects' rows of pemdata.latest forward (UPDATE of
-- sample_id, collected_at, value, prev_value, prev_collected_at). Migration 018 said those updates
-- stay HOT (heap-only: the new row version on the same page, no index entry) because no key column
-- changes, but its partial index latest_overview_idx INCLUDEs collected_at, and PostgreSQL makes an
-- update HOT only when no column of any index changes — key, INCLUDE or predicate column, on every
-- row whatever the partial index's predicate says (PostgreSQL docs 73.7 "Heap-Only Tuples (HOT)":
-- "the update does not modify any columns referenced by the table's indexes"). So no update of
-- pemdata.latest was HOT: the simulated fleet (bench/results/2026-12-08-vm-3d1219c7-fleet-sim-8.md) counted
-- 920,653 updates and 0 HOT ones at 2,000 servers, with 516,838 dead rows and 361 MB of heap for
-- 254,000 live rows; each update appended its row to a new page (the table grew without end
-- between vacuums, every inserting session queueing on the relation extension lock: the most
-- sampled wait of the ingest statement) and inserted into both indexes.
--
-- The INCLUDE bought nothing since migration 020: the overview rows are made by
-- pem.overview_refresh, which reads value (not in the index) from the heap anyway. The index is
-- made again without it (same name, keys and predicate: the probe list must stay equal to
-- OVERVIEW_FIELDS' keys, web/api/fleet-index.test.ts). And the table keeps a quarter of each page
-- free (fillfactor 75) for the new versions, so an update finds room on its own page after
-- PostgreSQL prunes the page's dead versions; pages written before this keep their old packing
-- until they are rewritten.
DROP INDEX pemdata.latest_overview_idx;
CREATE INDEX latest_overview_idx ON pemdata.latest (server_id, probe, object, agent_id)
  WHERE probe IN ('cpu', 'load_avg', 'memory', 'server_up', 'server_info', 'connections_by_state',
                  'database_stats', 'replication_lag');
ALTER TABLE pemdata.latest SET (fillfactor = 75);
