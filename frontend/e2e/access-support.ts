// The real components of the sign-in tests: the SMTP sink (tests/support/smtp_sink.py, Python
// aiosmtpd) and the OpenID provider (e2e/oidc-provider.mjs, the `oidc-provider` package), each a
// process on a free port, stopped after the tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface Mail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function spawnReady(cmd: string, args: string[], cwd: string): Promise<ChildProcess> {
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start: ${out}`)), 30_000);
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => reject(new Error(`${cmd} exited with ${code}: ${out}`)));
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

export interface Sink {
  url: string;
  mails: (to: string) => Mail[];
  waitFor: (to: string, n: number) => Promise<Mail[]>;
  stop: () => Promise<void>;
}

export async function startSink(): Promise<Sink> {
  const port = await freePort();
  const folder = mkdtempSync(path.join(tmpdir(), 'repere-smtp-'));
  const child = await spawnReady('python3', [path.resolve(here, '../../tests/support/smtp_sink.py'), '--port', String(port), '--folder', folder], here);
  const mails = (to: string): Mail[] =>
    readdirSync(folder)
      .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
      .sort()
      .map((f) => JSON.parse(readFileSync(path.join(folder, f), 'utf8')) as Mail)
      .filter((m) => m.to.includes(to));
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    waitFor: async (to, n) => {
      for (let i = 0; i < 300; i++) {
        const got = mails(to);
        if (got.length >= n) return got;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${to} received ${mails(to).length} mail(s), ${n} expected`);
    },
    stop: async () => {
      await stop(child);
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

export interface IdentityProvider {
  issuer: string;
  stop: () => Promise<void>;
}

/** The provider, whose clients send people back to `redirect` (Repère's callback). */
export async function startProvider(redirect: string): Promise<IdentityProvider> {
  const port = await freePort();
  const child = await spawnReady('node', [path.resolve(here, 'oidc-provider.mjs'), String(port), redirect], here);
  return { issuer: `http://127.0.0.1:${port}`, stop: () => stop(child) };
}

/** The link after `marker` in a mail's text. */
export function linkAfter(mail: Mail, marker: string): string {
  const rest = mail.text.slice(mail.text.indexOf(marker));
  const m = /https?:\/\/\S+/.exec(rest);
  if (!m) throw new Error(`no link after ${marker} in ${mail.text}`);
  return m[0];
}
