#!/usr/bin/env node
// `npm run test:postman`: runs the Postman collection with newman against a real Parley server on a fresh database.
//
// Builds nothing itself (the npm script runs `npm run build` first). Steps: a fresh database — the embedded one in
// a temporary DATA_DIR, or, when DATABASE_URL is set, a new randomly named database on that server — then the demo
// seed into it, the server (dist/apps/api/src/main.js) on a free loopback port with a random JWT_SECRET, a wait for
// /health/ready, the collection through newman's Node API (cli report, and JSON to test-output/newman.json), and
// then the server is stopped (SIGTERM) and the database removed. Exits non-zero when an assertion failed or the run
// errored, and ends with the plain line `postman: N passed, M failed` (assertion counts). The server's own output
// goes to test-output/postman-server.log (POSTMAN_SERVER_LOG_LEVEL sets its LOG_LEVEL, default warn).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath, URL } from 'node:url';
import newman from 'newman';
import pg from 'pg';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const COLLECTION = join(ROOT, 'postman', 'parley.postman_collection.json');
const ENVIRONMENT = join(ROOT, 'postman', 'parley.postman_environment.json');
const OUTPUT_DIR = join(ROOT, 'test-output');
const REPORT = join(OUTPUT_DIR, 'newman.json');
const SERVER_LOG = join(OUTPUT_DIR, 'postman-server.log');
const MAIN = join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js');
const SEED = join(ROOT, 'dist', 'apps', 'api', 'src', 'seed.js');
const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 20_000;

const log = (line) => process.stdout.write(`postman: ${line}\n`);

/** A port nobody listens on right now (the server binds it a moment later). */
function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

/** Runs SQL on the server's maintenance database (`postgres`), as the test helpers do. */
async function onServer(serverUrl, sql) {
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Waits for a child process to exit; resolves with its exit code (or signal name). */
function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode);
  return new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit(code ?? signal)));
}

async function seed(env) {
  const child = spawn(process.execPath, [SEED], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
  const code = await exited(child);
  if (code !== 0) throw new Error(`the demo seed failed (exit ${code})`);
}

function tail(file, lines = 40) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no server log)';
  }
}

/** The HTTP status of a GET, or the error's message when there is no answer. */
function probe(url) {
  return new Promise((resolveProbe) => {
    const request = get(url, { timeout: 2_000 }, (response) => {
      response.resume();
      resolveProbe(response.statusCode);
    });
    request.once('timeout', () => request.destroy(new Error('timed out')));
    request.once('error', (error) => resolveProbe(error.message));
  });
}

async function waitUntilReady(baseUrl, server) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null)
      throw new Error(`the server exited (${server.exitCode ?? server.signalCode}) before it was ready`);
    const status = await probe(`${baseUrl}/health/ready`);
    if (status === 200) return;
    last = typeof status === 'number' ? `HTTP ${status}` : status;
    await delay(250);
  }
  throw new Error(`the server was not ready within ${READY_TIMEOUT_MS / 1000} s (${last})`);
}

async function stopServer(server) {
  if (server.exitCode !== null || server.signalCode !== null) return;
  server.kill('SIGTERM');
  const timer = setTimeout(() => server.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited(server);
  clearTimeout(timer);
}

function runCollection(baseUrl) {
  return new Promise((resolveRun) => {
    newman.run(
      {
        collection: JSON.parse(readFileSync(COLLECTION, 'utf8')),
        environment: JSON.parse(readFileSync(ENVIRONMENT, 'utf8')),
        envVar: [{ key: 'baseUrl', value: baseUrl }],
        reporters: ['cli', 'json'],
        reporter: { json: { export: REPORT } },
        timeoutRequest: 30_000,
        color: process.stdout.isTTY ? 'on' : 'off',
      },
      (error, summary) => resolveRun({ error, summary }),
    );
  });
}

async function main() {
  for (const file of [MAIN, SEED]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first (npm run test:postman does)`);
  }
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const cleanups = [];
  const cleanUp = async () => {
    for (const step of cleanups.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        process.stderr.write(`postman: cleanup: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
  };
  let interrupted = false;
  const onSignal = (signal) => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const env = {
      ...process.env,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      JWT_SECRET: randomBytes(32).toString('hex'),
      ADMIN_SESSION_SECRET: randomBytes(32).toString('hex'),
      LOG_LEVEL: process.env.POSTMAN_SERVER_LOG_LEVEL ?? 'warn',
      // The admin panel's front-end bundle is not needed here (the jest suites skip it the same way).
      ADMIN_JS_SKIP_BUNDLE: process.env.ADMIN_JS_SKIP_BUNDLE ?? 'true',
    };
    delete env.ADMIN_PASSWORD; // the environment file signs in as admin/admin, the seed's default outside production

    const serverUrl = process.env.DATABASE_URL;
    if (serverUrl) {
      const name = `parley_postman_${randomBytes(6).toString('hex')}`;
      await onServer(serverUrl, `CREATE DATABASE ${name}`);
      cleanups.push(() => onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      env.DATABASE_URL = url.toString();
      log(`fresh database ${name} on ${url.host}`);
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'parley-postman-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      delete env.DATABASE_URL;
      env.DATA_DIR = join(dir, 'data');
      log(`fresh embedded database in ${env.DATA_DIR}`);
    }

    log('seeding the demo data');
    await seed(env);

    log(`starting the server on ${baseUrl} (log: ${SERVER_LOG})`);
    const serverLog = createWriteStream(SERVER_LOG);
    const server = spawn(process.execPath, [MAIN], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout.pipe(serverLog);
    server.stderr.pipe(serverLog);
    cleanups.push(async () => {
      await stopServer(server);
      await new Promise((r) => serverLog.end(r));
    });
    try {
      await waitUntilReady(baseUrl, server);
    } catch (error) {
      process.stderr.write(`${tail(SERVER_LOG)}\n`);
      throw error;
    }

    const { error, summary } = await runCollection(baseUrl);
    const assertions = summary?.run?.stats?.assertions ?? { total: 0, failed: 0 };
    const failures = summary?.run?.failures ?? [];
    // Failures that are not assertions (a script error, a request that could not be sent) fail the run too.
    const otherFailures = failures.filter((f) => f.error?.name !== 'AssertionError').length;
    const runError = error ?? summary?.run?.error;

    log('stopping the server');
    await cleanUp();
    if (runError) process.stderr.write(`postman: newman: ${runError instanceof Error ? runError.message : String(runError)}\n`);
    if (otherFailures) process.stderr.write(`postman: ${otherFailures} failure(s) besides assertions (scripts or requests), see above\n`);
    if (assertions.total === 0) process.stderr.write('postman: no assertion ran\n');
    log(`report: ${REPORT}`);
    process.stdout.write(`postman: ${assertions.total - assertions.failed} passed, ${assertions.failed} failed\n`);
    return !runError && otherFailures === 0 && assertions.failed === 0 && assertions.total > 0;
  } finally {
    await cleanUp();
  }
}

main().then(
  (ok) => {
    process.exitCode = ok ? 0 : 1;
  },
  (error) => {
    process.stderr.write(`postman: ${error instanceof Error ? error.message : String(error)}\n`);
    process.stdout.write('postman: 0 passed, 0 failed\n');
    process.exitCode = 1;
  },
);
