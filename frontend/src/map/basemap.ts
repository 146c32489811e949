// Chooses the basemap: the production style configured on the server (e.g. IGN Plan IGN) when it can
// be fetched within a few seconds, else the bundled offline style. The page never waits on the web.
import type { StyleSpecification } from 'maplibre-gl';
import { baseStyle } from './style';

export interface Basemap {
  style: StyleSpecification | string;
  /** French notice to show when the configured basemap could not be used. */
  notice?: string;
}

export async function chooseBasemap(styleUrl: string | null | undefined, timeoutMs = 4000, fetcher: typeof fetch = fetch): Promise<Basemap> {
  if (!styleUrl) return { style: baseStyle() };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const resp = await fetcher(styleUrl, { signal: controller.signal });
    if (!resp.ok) throw new Error(String(resp.status));
    const style = (await resp.json()) as StyleSpecification;
    if (style.version !== 8 || typeof style.sources !== 'object') throw new Error('not a MapLibre style');
    return { style };
  } catch {
    return { style: baseStyle(), notice: 'Le fond de carte configuré est injoignable : fond de carte simplifié hors ligne affiché.' };
  } finally {
    clearTimeout(timer);
  }
}
