/**
 * What every console test file needs: the built server with its first operator made by
 * `dialtone operator create`, Debian's Chromium driven by playwright-core (one browser per file),
 * fresh browser contexts that collect CSP violations and page errors, and sign-in.
 *
 * A file starts with `const c = await consoleOrSkip(t, 'what it tests')`: undefined (the file's
 * one test skipped, naming chromium) where Chromium is not installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { serverEnv, startServer, type Running } from './server.js';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const MAIN = new URL('../../dist/main.js', import.meta.url).pathname;
export const ADMIN_PASSWORD = 'correct horse battery';

/** The error paragraph `field()` puts under `input` (the input's id plus `-error`). */
export async function errorUnder(page: Page, input: Locator): Promise<Locator> {
  return page.locator(`#${await input.getAttribute('id')}-error`);
}

export interface Opened {
  context: BrowserContext;
  page: Page;
  /** CSP violations and page errors, as the browser reported them. */
  problems: string[];
}

export interface Console {
  server: Running;
  /** The console's origin, `https://127.0.0.1:<admin port>`. */
  base: string;
  browser: Browser;
  /** A fresh context (own cookies) and page; closed at the end of the file. */
  open: (viewport?: { width: number; height: number }) => Promise<Opened>;
  /** Fills the sign-in form of `page` and submits it. */
  signIn: (page: Page, name: string, password: string) => Promise<void>;
  /** A context signed in as the first operator (`root`, admin), on the employees page. */
  admin: () => Promise<Opened>;
  /** With CONSOLE_SCREENSHOTS=<folder>, saves the whole page there as `<name>.png`. */
  shot: (page: Page, name: string) => Promise<void>;
}

/**
 * Starts the server (JSON store in a tap test dir; `env` added) and Chromium, or skips with one
 * test naming chromium. `launchArgs` are added to Chromium's flags (a fake camera, for instance).
 */
export async function consoleOrSkip(t: Test, what: string, env: Record<string, string> = {}, launchArgs: string[] = []): Promise<Console | undefined> {
  if (!existsSync(CHROMIUM)) {
    t.test(what, { skip: `chromium is not installed at ${CHROMIUM} (Debian package chromium)` }, async () => {});
    return undefined;
  }
  const dir = t.testdir();
  // The first operator only comes from the command line, into the store the server then opens.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DIALTONE_')));
  const created = spawnSync(process.execPath, [MAIN, 'operator', 'create', 'root', '--scope', 'admin', '--password-stdin'], {
    env: { ...inherited, ...serverEnv(dir, { DIALTONE_STORE: 'json', ...env }) },
    input: `${ADMIN_PASSWORD}\n`,
    encoding: 'utf8',
  });
  if (created.status !== 0) throw new Error(`operator create: ${created.stderr}`);
  const server = await startServer(t, dir, { DIALTONE_STORE: 'json', ...env });
  const base = `https://127.0.0.1:${server.ports.admin}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_FLAGS, ...launchArgs] });
  t.teardown(() => browser.close());
  const shots = process.env.CONSOLE_SCREENSHOTS;

  const open = async (viewport = { width: 1280, height: 900 }): Promise<Opened> => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport });
    t.teardown(() => context.close());
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (msg) => {
      if (/Content Security Policy|Refused to/i.test(msg.text())) problems.push(msg.text());
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    return { context, page, problems };
  };
  const signIn = async (page: Page, name: string, password: string): Promise<void> => {
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };
  const admin = async (): Promise<Opened> => {
    const opened = await open();
    await opened.page.goto(`${base}/`);
    await signIn(opened.page, 'root', ADMIN_PASSWORD);
    await opened.page.getByRole('heading', { name: 'Employees' }).waitFor();
    return opened;
  };
  const shot = async (page: Page, name: string): Promise<void> => {
    if (!shots) return;
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  };
  return { server, base, browser, open, signIn, admin, shot };
}
