/** Small DOM helpers for the console: every text goes in as text (names and models are what clients sent). */
export const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

export function cell(row: HTMLTableRowElement, text: string | number, header = false): HTMLTableCellElement {
  const c = document.createElement(header ? 'th' : 'td');
  if (header) c.scope = 'row';
  c.textContent = String(text);
  row.append(c);
  return c;
}

export function button(label: string, onClick: () => void, ariaLabel?: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  if (ariaLabel) b.setAttribute('aria-label', ariaLabel);
  b.addEventListener('click', onClick);
  return b;
}

export const when = (seconds: number) => new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 16);

/** A number input's value, or undefined when empty. */
export function numberIn(id: string): number | undefined {
  const raw = $<HTMLInputElement>(id).value.trim();
  return raw === '' ? undefined : Number(raw);
}
