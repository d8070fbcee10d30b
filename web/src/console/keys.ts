import { ApiError } from '../api.ts';
import type { AdminApi, ApiKey, Limits } from './admin-api.ts';
import { $, button, cell, numberIn, when } from './dom.ts';

const LIMIT_FIELDS: Array<[keyof Limits, string, string, string]> = [
  ['rpm', 'new-rpm', 'lim-rpm', 'rpm'],
  ['images_per_day', 'new-day', 'lim-day', 'images/day'],
  ['images_per_month', 'new-month', 'lim-month', 'images/month'],
  ['concurrent', 'new-concurrent', 'lim-concurrent', 'at once'],
  ['megapixels_per_month', 'new-mp', 'lim-mp', 'MP/month'],
];

export const describeLimits = (l: Limits | null) =>
  LIMIT_FIELDS.filter(([k]) => l?.[k] !== undefined).map(([k, , , unit]) => `${l![k]} ${unit}`).join(', ') || 'server defaults';

const message = (err: unknown) => (err instanceof ApiError ? `${err.message} (${err.status}${err.body.code ? ` ${err.body.code}` : ''})` : String(err));

/** The keys table, the create form, the secret shown once, and the limits dialog. */
export class KeysPanel {
  private editing: ApiKey | null = null;

  constructor(private readonly api: AdminApi, private readonly onChange: (keys: ApiKey[]) => void) {
    $('create-key').addEventListener('submit', (e) => { e.preventDefault(); void this.create(); });
    $('copy-secret').addEventListener('click', () => void this.copySecret());
    $('hide-secret').addEventListener('click', () => { $<HTMLInputElement>('secret-value').value = ''; $('secret-once').hidden = true; });
    $('limits-form').addEventListener('submit', (e) => { e.preventDefault(); void this.saveLimits(); });
    $('limits-cancel').addEventListener('click', () => $<HTMLDialogElement>('limits-dialog').close());
  }

  async load(): Promise<void> {
    try {
      const keys = await this.api.keys();
      this.render(keys);
      this.onChange(keys);
      $('err-keys').textContent = '';
    } catch (err) {
      $('err-keys').textContent = message(err);
    }
  }

  private render(keys: ApiKey[]) {
    const body = $<HTMLTableElement>('keys-table').tBodies[0]!;
    body.replaceChildren(...keys.map((k) => {
      const row = document.createElement('tr');
      row.dataset.keyId = k.id;
      cell(row, `${k.prefix}… (${k.id})`, true);
      cell(row, k.name ?? '');
      cell(row, k.revoked_at ? `revoked ${when(k.revoked_at)}` : k.scopes.includes('admin') ? 'active, admin' : 'active');
      cell(row, describeLimits(k.limits));
      cell(row, when(k.created_at));
      const actions = cell(row, '');
      if (!k.revoked_at) {
        const label = k.name ?? k.id;
        actions.append(
          button('Limits', () => this.openLimits(k), `Set limits of ${label}`),
          button('Rotate', () => void this.rotate(k), `Rotate ${label}`),
          button('Revoke', () => void this.revoke(k), `Revoke ${label}`),
        );
      }
      return row;
    }));
  }

  private async create() {
    const limits: Limits = {};
    for (const [name, id] of LIMIT_FIELDS) {
      const v = numberIn(id);
      if (v !== undefined) limits[name] = v;
    }
    const name = $<HTMLInputElement>('new-name').value.trim();
    try {
      const made = await this.api.create({ ...(name ? { name } : {}), admin: $<HTMLInputElement>('new-admin').checked, limits });
      this.showSecret(made.id, made.secret);
      ($<HTMLFormElement>('create-key')).reset();
      $('err-create').textContent = '';
      await this.load();
    } catch (err) {
      $('err-create').textContent = message(err);
    }
  }

  private showSecret(id: string, secret: string) {
    $('secret-id').textContent = id;
    $<HTMLInputElement>('secret-value').value = secret;
    $('copy-status').textContent = '';
    $('secret-once').hidden = false;
  }

  private async copySecret() {
    const input = $<HTMLInputElement>('secret-value');
    try {
      await navigator.clipboard.writeText(input.value);
      $('copy-status').textContent = 'Copied to the clipboard.';
    } catch {
      // No clipboard permission (an http:// origin other than localhost): select it for Ctrl+C.
      input.select();
      $('copy-status').textContent = 'Selected: press Ctrl+C (⌘C) to copy.';
    }
  }

  private async rotate(k: ApiKey) {
    if (!confirm(`Give ${k.name ?? k.id} a new secret? The current one stops working at once.`)) return;
    try {
      const rotated = await this.api.rotate(k.id);
      this.showSecret(rotated.id, rotated.secret);
      await this.load();
    } catch (err) {
      $('err-keys').textContent = message(err);
    }
  }

  private async revoke(k: ApiKey) {
    if (!confirm(`Revoke ${k.name ?? k.id}? Requests with it fail at once.`)) return;
    try {
      await this.api.revoke(k.id);
      await this.load();
    } catch (err) {
      $('err-keys').textContent = message(err);
    }
  }

  private openLimits(k: ApiKey) {
    this.editing = k;
    $('limits-key').textContent = k.name ?? k.id;
    for (const [name, , id] of LIMIT_FIELDS) $<HTMLInputElement>(id).value = k.limits?.[name] === undefined ? '' : String(k.limits[name]);
    $('err-limits').textContent = '';
    $<HTMLDialogElement>('limits-dialog').showModal();
  }

  private async saveLimits() {
    if (!this.editing) return;
    // Every field is sent: an emptied one goes back to the server default (null).
    const limits: Record<string, number | null> = {};
    for (const [name, , id] of LIMIT_FIELDS) limits[name] = numberIn(id) ?? null;
    try {
      await this.api.setLimits(this.editing.id, limits);
      $<HTMLDialogElement>('limits-dialog').close();
      await this.load();
    } catch (err) {
      $('err-limits').textContent = message(err);
    }
  }
}
