import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactSecrets } from './redact-secrets.js';

describe('redactSecrets', () => {
  it('takes the literal out of CREATE/ALTER ROLE ... PASSWORD (the text the lab found in pg_stat_statements)', () => {
    assert.equal(
      redactSecrets(
        "CREATE ROLE pem_monitor LOGIN PASSWORD '4Hn31BAO_zqA5czjYU7dl4TjghnqXUM9' IN ROLE pg_monitor",
      ),
      "CREATE ROLE pem_monitor LOGIN PASSWORD '***' IN ROLE pg_monitor",
    );
    assert.equal(
      redactSecrets("alter user bob with encrypted password 'it''s secret' valid until 'infinity'"),
      "alter user bob with encrypted password '***' valid until 'infinity'",
    );
    assert.equal(redactSecrets("ALTER ROLE x PASSWORD E'a\\'b' LOGIN"), "ALTER ROLE x PASSWORD '***' LOGIN");
  });

  it('takes out a literal cut short by the length limit', () => {
    assert.equal(redactSecrets("ALTER ROLE x PASSWORD 'abcdef"), "ALTER ROLE x PASSWORD '***'");
  });

  it("takes out a user mapping's password option and a conninfo's password=", () => {
    assert.equal(
      redactSecrets("CREATE USER MAPPING FOR bob SERVER s OPTIONS (user 'bob', password 'hunter2')"),
      "CREATE USER MAPPING FOR bob SERVER s OPTIONS (user 'bob', password '***')",
    );
    assert.equal(
      redactSecrets(
        "CREATE SUBSCRIPTION s CONNECTION 'host=h dbname=d password=hunter2 user=u' PUBLICATION p",
      ),
      "CREATE SUBSCRIPTION s CONNECTION 'host=h dbname=d password=*** user=u' PUBLICATION p",
    );
    assert.equal(
      redactSecrets("SELECT dblink_connect('host=h password=\\'a b\\' user=u')"),
      "SELECT dblink_connect('host=h password=*** user=u')",
    );
  });

  it('leaves placeholders and texts without a password alone', () => {
    for (const t of [
      'ALTER ROLE x PASSWORD $1',
      'SELECT name FROM pg_settings WHERE name = $1',
      'password_encryption',
      "SELECT 'no secret here'",
    ]) {
      assert.equal(redactSecrets(t), t);
    }
  });
});
