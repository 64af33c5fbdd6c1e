// The dependency rules (check-deps.mjs) fail on deliberate violations and pass on the tree.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { analyze, importsOf, readTree } from './check-deps.mjs';

const pkg = (declared, files) => ({ declared, files });

describe('check-deps', () => {
  it('reads static, type-only, re-export and dynamic imports, not those in comments', () => {
    const text = `import a from './a.js';
import type { B } from "@pharos/core/errors";
export { c } from './c.js';
// import x from './commented.js';
/* import y from './block.js'; */
const d = await import('./d.js');`;
    assert.deepEqual(importsOf(text), ['./a.js', '@pharos/core/errors', './c.js', './d.js']);
  });

  it('fails on an import cycle between files of a package, type-only imports included', () => {
    const problems = analyze({
      packages: {
        core: pkg([], {
          'a.ts': "import type { B } from './b.js';",
          'b.ts': "import { c } from './c.js';",
          'c.ts': "import { a } from './a.js';",
          'd.ts': "import { a } from './a.js';",
        }),
      },
    });
    assert.deepEqual(problems, ['packages/core/src: import cycle among a.ts, b.ts, c.ts']);
  });

  it('fails on a forbidden edge between packages, and on an undeclared one', () => {
    const problems = analyze({
      packages: {
        core: pkg(['ops'], { 'x.ts': "import { labUp } from '@pharos/ops/lab/up';" }),
        agent: pkg(['core'], { 'y.ts': "import { startWebServer } from '@pharos/web/server';" }),
      },
    });
    assert.equal(problems.length, 3);
    assert.match(
      problems[0],
      /core\/src\/x\.ts: imports @pharos\/ops\/lab\/up, but core may not depend on ops/,
    );
    assert.match(
      problems[1],
      /agent\/src\/y\.ts: imports @pharos\/web\/server, but agent may not depend on web/,
    );
    assert.match(problems[2], /agent\/package\.json: does not declare @pharos\/web/);
  });

  it('lets tests use the testkit and the testing helpers of allowed packages, and nothing else', () => {
    const problems = analyze({
      packages: {
        web: pkg(['core', 'backend', 'testkit'], {
          'a.test.ts': "import { startPostgres } from '@pharos/testkit/postgres/postgres-server';",
          'testing/b.ts': "import { testBackend } from '@pharos/backend/testing/backend';",
          'c.ts': "import { startPostgres } from '@pharos/testkit/postgres/postgres-server';",
        }),
      },
    });
    assert.deepEqual(problems.length, 1);
    assert.match(problems[0], /web\/src\/c\.ts: imports @pharos\/testkit/);
  });

  it('passes on this repository', () => {
    assert.deepEqual(analyze(readTree(fileURLToPath(new URL('..', import.meta.url)))), []);
  });
});
