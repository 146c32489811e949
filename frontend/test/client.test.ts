import { describe, expect, it } from 'vitest';
import { ApiError, apiUrl, getJson, type Fetch } from '../src/api/client';

const respond = (status: number, body: unknown, type = 'application/json'): Fetch => async () =>
  new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': type } });

describe('API client', () => {
  it('returns the JSON body of a success', async () => {
    await expect(getJson('/api', respond(200, { demo: true }))).resolves.toEqual({ demo: true });
  });

  it('turns problem+json into an ApiError naming the parameter', async () => {
    const problem = { type: 'about:blank', title: 'Paramètre invalide', status: 400, detail: 'bbox : 4 nombres attendus', invalid_params: [{ name: 'bbox', reason: '4 nombres attendus' }] };
    const err = await getJson('/api/x', respond(400, problem, 'application/problem+json')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    expect((err as ApiError).param).toBe('bbox');
    expect((err as ApiError).message).toBe('bbox : 4 nombres attendus');
  });

  it('gives a French message when the server sends no problem document', async () => {
    const err = (await getJson('/api/x', respond(502, '<html>bad gateway</html>', 'text/html')).catch((e: unknown) => e)) as ApiError;
    expect(err.status).toBe(502);
    expect(err.message).toContain('502');
    const offline: Fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    const net = (await getJson('/api', offline).catch((e: unknown) => e)) as ApiError;
    expect(net.status).toBe(0);
    expect(net.message).toMatch(/injoignable/);
  });

  it('builds URLs with only the defined parameters, encoded', () => {
    expect(apiUrl('/nearby', { lon: 7.2, lat: 43.7, q: '', tool: undefined, discipline: 'Arts & culture' })).toBe(
      '/api/nearby?lon=7.2&lat=43.7&discipline=Arts+%26+culture',
    );
    expect(apiUrl('/collections', {})).toBe('/api/collections');
  });
});

describe('basemap choice', () => {
  it('uses the offline style when none is configured or the configured one is unreachable', async () => {
    const { chooseBasemap } = await import('../src/map/basemap');
    expect((await chooseBasemap(null)).notice).toBeUndefined();
    const down = await chooseBasemap('https://example.invalid/style.json', 50, async () => {
      throw new TypeError('offline');
    });
    expect(typeof down.style).toBe('object');
    expect(down.notice).toMatch(/injoignable/);
    const slow = await chooseBasemap('https://example.invalid/style.json', 20, (_u, init) =>
      new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted')))),
    );
    expect(slow.notice).toMatch(/injoignable/);
    const ok = await chooseBasemap('https://example.invalid/style.json', 50, async () =>
      new Response(JSON.stringify({ version: 8, sources: {}, layers: [] }), { status: 200 }),
    );
    expect(ok.notice).toBeUndefined();
    expect((ok.style as { layers: unknown[] }).layers).toEqual([]);
  });
});
