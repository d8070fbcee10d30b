import '../style.css';
import './console.css';
import { ApiError } from '../api.ts';
import { AdminApi, type ApiKey } from './admin-api.ts';
import { $ } from './dom.ts';
import { KeysPanel } from './keys.ts';
import { UsagePanel } from './usage.ts';

// The admin key lives for this tab only (sessionStorage): closing the tab signs out.
const STORE = 'retouch.adminKey';

function keyOptions(keys: ApiKey[]) {
  const select = $<HTMLSelectElement>('usage-key');
  const chosen = select.value;
  const options = [new Option('All keys', ''), ...keys.map((k) => new Option(`${k.name ?? k.prefix} (${k.id})`, k.id))];
  select.replaceChildren(...options);
  select.value = keys.some((k) => k.id === chosen) ? chosen : '';
}

async function signIn(key: string): Promise<boolean> {
  const api = new AdminApi(key);
  try {
    await api.keys();
  } catch (err) {
    $('err-login').textContent = err instanceof ApiError
      ? err.status === 403 ? 'This key is not an admin key (403). Use one made with `retouch keys create --admin` or from RETOUCH_ADMIN_KEYS.' : `Not accepted (${err.status}): ${err.message}`
      : String(err);
    return false;
  }
  sessionStorage.setItem(STORE, key);
  $('err-login').textContent = '';
  $('login').hidden = true;
  $('signed-in').hidden = false;
  $('who').textContent = `Signed in with ${key.slice(0, 10)}…`;
  const usage = new UsagePanel(api);
  const keys = new KeysPanel(api, keyOptions);
  await keys.load();
  await usage.load();
  return true;
}

$('login').addEventListener('submit', (e) => {
  e.preventDefault();
  void signIn($<HTMLInputElement>('admin-key').value.trim());
});
$('sign-out').addEventListener('click', () => {
  sessionStorage.removeItem(STORE);
  location.reload();
});

const saved = sessionStorage.getItem(STORE);
if (saved) void signIn(saved);
