-- Privileges are declared by the files of this folder, applied in name order
-- after the functions, views and catalogues, every time the migration runner
-- applies sql/ (sql/README.md). This first file takes away everything the
-- roles Pharos manages hold on the objects of the pem, pemdata and pemhistory
-- schemas, so that what the next files grant is all they hold: a privilege
-- is removed by deleting its line, and a function no file names can be
-- executed by its owner only. Owners keep their own privileges. All of it
-- happens in the runner's one transaction: no session sees the roles without
-- their privileges.
REVOKE ALL ON SCHEMA pem, pemdata, pemhistory
  FROM PUBLIC, pem_user, pem_admin, pem_agent, pem_web, pharos_alert_reader;
REVOKE ALL ON ALL TABLES IN SCHEMA pem, pemdata, pemhistory
  FROM PUBLIC, pem_user, pem_admin, pem_agent, pem_web, pharos_alert_reader;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA pem, pemdata, pemhistory
  FROM PUBLIC, pem_user, pem_admin, pem_agent, pem_web, pharos_alert_reader;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA pem
  FROM PUBLIC, pem_user, pem_admin, pem_agent, pem_web, pharos_alert_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA pemhistory REVOKE ALL ON TABLES
  FROM PUBLIC, pem_user, pem_admin, pem_agent, pem_web, pharos_alert_reader;
