import { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { resolve } from 'node:path';

export const ARTIFACTS = resolve(__dirname, '..', '..', 'test-artifacts');

/**
 * Everything the page reports going wrong: uncaught errors, console errors (Chromium logs each CSP
 * refusal there) and every `securitypolicyviolation` event, recorded from before the page's first
 * script. `allow` drops the console errors a test provokes on purpose (a 503 while Cassandra is down).
 */
export async function watchProblems(page: Page, allow: RegExp[] = []): Promise<() => Promise<string[]>> {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !allow.some((a) => a.test(msg.text()))) problems.push(msg.text());
  });
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(`CSP ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`),
    );
  });
  return async () => [
    ...problems,
    ...(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)),
  ];
}

/** A page in a context of its own (its own localStorage), watched for problems (see watchProblems' `allow`). */
export async function openPage(
  browser: Browser,
  url: string,
  options: BrowserContextOptions = {},
  allow: RegExp[] = [],
): Promise<{ page: Page; problems: () => Promise<string[]> }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, ...options });
  const page = await context.newPage();
  const problems = await watchProblems(page, allow);
  await page.goto(url);
  return { page, problems };
}

/** The rows of the users list: name (as data-name), count and average as shown. */
export function userRows(page: Page): Promise<Array<{ name: string; shown: string; count: string; avg: string }>> {
  return page.$$eval('#user-list li', (items) =>
    items.map((li) => ({
      name: (li as HTMLElement).dataset.name ?? '',
      shown: li.querySelector('.name')?.textContent ?? '',
      count: li.querySelector('.count')?.textContent ?? '',
      avg: li.querySelector('.avg')?.textContent ?? '',
    })),
  );
}

/** Waits until the users list shows something other than `before` (a page turned, a search answered). */
export async function usersChanged(page: Page, before: string): Promise<void> {
  await page.waitForFunction(
    (b) =>
      Array.from(document.querySelectorAll('#user-list li'))
        .map((li) => (li as HTMLElement).dataset.name)
        .join('\n') !== b,
    before,
  );
}

export async function listedNames(page: Page): Promise<string> {
  return (await userRows(page)).map((r) => r.name).join('\n');
}
