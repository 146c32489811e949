// Accessible table rows: the first cell of a row is its header (`<th scope="row">`).

/** Appends a row to `body`: `header` in a row header, then one data cell per value; returns the row. */
export function addRow(body: HTMLTableSectionElement, header: string, values: string[]): HTMLTableRowElement {
  const tr = body.insertRow();
  const th = document.createElement('th');
  th.scope = 'row';
  th.textContent = header;
  tr.append(th);
  for (const v of values) tr.insertCell().textContent = v;
  return tr;
}

/** Gives each data cell of `table` its column's header as `data-label`, for the cards a phone shows. */
export function labelCells(table: HTMLTableElement): void {
  const headers = [...(table.tHead?.rows[0]?.cells ?? [])].map((c) => c.textContent?.trim() ?? '');
  for (const body of table.tBodies) {
    for (const row of body.rows) {
      [...row.cells].forEach((cell, i) => {
        if (cell.tagName === 'TD' && headers[i]) cell.dataset.label = headers[i];
      });
    }
  }
}
