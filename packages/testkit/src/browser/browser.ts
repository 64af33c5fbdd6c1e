/**
 * Headless Chromium for the end-to-end tests: Debian's `chromium`
 * (/usr/bin/chromium, installed by scripts/install-system.sh) driven by
 * playwright-core, and the directory screenshots are kept in
 * (`test-artifacts/` at the repository root, ignored by git).
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Where screenshots go (absolute, with a trailing slash). */
export const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/', import.meta.url));

/** Chromium flags for a headless run as root in a container (no sandbox, no background traffic). */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Creates the artefacts directory and launches headless Chromium. @throws when Chromium cannot start. */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS] });
}

/**
 * Records `page`'s console errors (CSP violations are reported there) and
 * uncaught page errors into `problems`, as "console: ..." / "page error: ...".
 */
export function watchPageProblems(page: Page, problems: string[]): void {
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
}
