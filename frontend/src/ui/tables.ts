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
