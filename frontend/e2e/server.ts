// Starts the real `repere serve` on port 0 over a fresh SQLite database with the demo data, serving
// the built frontend (frontend/dist), and stops it afterwards.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface Server {
  base: string;
  stop: () => Promise<void>;
}

/** Accounts created in every test server (password: PASSWORD). */
export const PASSWORD = 'une phrase de passe longue';
export const CONTRIBUTOR = 'prof.techno@ac-nice.fr';
export const MODERATOR = 'cardie@ac-nice.fr';
export const COLLECTIVITE = 'numerique@departement06.fr';
export const ADMIN = 'dane.admin@ac-nice.fr';
/** A chef d'établissement (role encadrement, bound to nothing until an admin binds them) and a referent. */
export const CHEF = 'principal.college@ac-nice.fr';
export const REFERENT = 'erun.nice@ac-nice.fr';
/** An IA-IPR (role inspecteur; an admin binds them to their discipline). */
export const INSPECTOR = 'ipr.technologie@ac-nice.fr';

/**
 * `generate`: fill the database with `repere generate` (that many practices) instead of the demo data;
 * `env`: more environment for `repere serve` (read when the server starts).
 */
export async function startServer(options: { generate?: number; env?: Record<string, string>; port?: number } = {}): Promise<Server> {
  const bin = process.env.REPERE_BIN ?? path.resolve(here, '../../target/debug/repere');
  const dir = mkdtempSync(path.join(tmpdir(), 'repere-e2e-'));
  if (options.generate) {
    const n = options.generate;
    execFileSync(bin, ['--database-url', `sqlite://${dir}/repere.db`, 'generate', '--practices', String(n), '--establishments', String(Math.ceil(n / 16)), '--links', '0'], {
      env: { ...process.env, RUST_LOG: 'warn' },
      stdio: 'ignore',
    });
  }
  for (const [email, role] of [[CONTRIBUTOR, 'contributor'], [MODERATOR, 'moderator'], [COLLECTIVITE, 'collectivite'], [ADMIN, 'admin'], [CHEF, 'encadrement'], [REFERENT, 'referent'], [INSPECTOR, 'inspecteur']] as const) {
    execFileSync(bin, ['--database-url', `sqlite://${dir}/repere.db`, 'user', 'add', email, '--role', role], {
      env: { ...process.env, REPERE_PASSWORD: PASSWORD, RUST_LOG: 'warn' },
      stdio: 'ignore',
    });
  }
  const child: ChildProcess = spawn(
    bin,
    ['--database-url', `sqlite://${dir}/repere.db`, 'serve', '--bind', `127.0.0.1:${options.port ?? 0}`, '--demo-if-empty', '--frontend-dir', path.resolve(here, '../dist')],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: 'warn', ...options.env } },
  );
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = out.match(/écoute sur (http:\/\/[\d.:]+)/);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  // The socket answers at once; the API serves once the catalogue is loaded (/health/ready).
  for (let i = 0; ; i++) {
    const ready = await fetch(`${base}/health/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (i > 2400) throw new Error('server never became ready');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    base,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
