/**
 * What the lab tells the renderers about the one machine it runs every host on.
 * `pharos plan` passes no site: the rendered files are then those of a real
 * deployment (the reference document's paths and addresses).
 */

/** Present only in the lab (all hosts on one machine, each on its own loopback address). */
export interface LabSite {
  /** Absolute per-host directory, e.g. /var/tmp/pharos/lab/pem-backend-2. */
  hostDir(host: string): string;
  /** This machine's PostgreSQL bin directory, e.g. /usr/lib/postgresql/15/bin. */
  binDir: string;
  /** The lab's CA certificate (every host trusts it), e.g. /var/tmp/pharos/lab/pki/ca.crt. */
  caFile: string;
}
