// Shared by the browser suites: headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core) that resolves nothing but loopback names, a node
// HTTP agent held to the same rule, and tabs that record every host they
// contact and what the page logs.
import assert from 'node:assert/strict';
import dns from 'node:dns';
import http from 'node:http';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Nothing but 127.0.0.1, localhost and *.localhost resolves (the rules also
  // apply to IP literals, hence the explicit 127.0.0.1).
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost, EXCLUDE *.localhost',
];

const MAX_CONSOLE_LINES = 50;

export function isLoopbackHost(host) {
  const name = String(host).toLowerCase();
  return name === '127.0.0.1' || name === 'localhost' || name.endsWith('.localhost');
}

// dns.lookup for node clients, with Chromium's rule: loopback names only.
function loopbackLookup(hostname, options, callback) {
  if (typeof options === 'function') {
    callback = options;
    options = {};
  }
  if (isLoopbackHost(hostname)) {
    dns.lookup('127.0.0.1', { ...options, family: 4 }, callback);
    return;
  }
  process.nextTick(callback, Object.assign(new Error(`browser suites are loopback-only, refused ${hostname}`), { code: 'ENOTFOUND' }));
}

// A keep-alive agent for node-side clients that can reach nothing but loopback.
export function loopbackAgent(options = {}) {
  return new http.Agent({ keepAlive: true, ...options, lookup: loopbackLookup });
}

// A headless browser context whose profile lives in userDataDir.
export function launchChromium(userDataDir) {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: LAUNCH_ARGS,
    timeout: 60_000,
  });
}

// Opens url in a new tab of context and waits until the page sets
// window[readyFlag] to true. The tab records every host it contacts and the
// page's first console lines and errors (for failure messages).
export async function openTab(context, url, readyFlag) {
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const hosts = new Set();
  const consoleLines = [];
  const log = (line) => { if (consoleLines.length < MAX_CONSOLE_LINES) consoleLines.push(line); };
  page.on('request', (r) => hosts.add(new URL(r.url()).hostname));
  page.on('console', (m) => log(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log(`pageerror: ${e.message}`));
  const response = await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
  assert.equal(response.status(), 200);
  await page.waitForFunction((flag) => window[flag] === true, readyFlag, { timeout: 15_000 });
  return { page, hosts, consoleLines };
}

export function assertLoopbackOnly(tab) {
  const foreign = [...tab.hosts].filter((h) => !isLoopbackHost(h));
  assert.deepEqual(foreign, [], `the page contacted non-loopback hosts: ${foreign}`);
}
