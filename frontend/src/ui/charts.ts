// Chart.js, loaded only when a page draws a chart (the dashboard, an establishment's OPINEE levels):
// the map and the other pages never download it.
import type { ChartConfiguration, Chart as ChartType } from 'chart.js';

let loaded: Promise<typeof import('chart.js')> | undefined;

/** Draws `config` into `canvas` once Chart.js has arrived. */
export async function drawChart(canvas: HTMLCanvasElement, config: ChartConfiguration<'bar'>): Promise<ChartType<'bar'>> {
  loaded ??= import('chart.js').then((m) => {
    m.Chart.register(m.BarController, m.BarElement, m.CategoryScale, m.LinearScale, m.Legend);
    return m;
  });
  const { Chart } = await loaded;
  return new Chart(canvas, config);
}
