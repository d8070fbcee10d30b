import { ApiError, editImage, listModels } from './api.ts';
import { addEntry, type HistoryEntry, listEntries } from './history.ts';
import { MaskPainter } from './mask-painter.ts';
import './style.css';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const KEY_STORAGE = 'retouch.key';

const els = {
  form: $<HTMLFormElement>('edit-form'), key: $<HTMLInputElement>('key'), drop: $('drop'), file: $<HTMLInputElement>('file'),
  thumbs: $('thumbs'), maskTools: $<HTMLFieldSetElement>('mask-tools'), source: $<HTMLImageElement>('source'),
  brush: $<HTMLInputElement>('brush'), erase: $<HTMLInputElement>('erase'), maskClear: $('mask-clear'),
  prompt: $<HTMLTextAreaElement>('prompt'), model: $<HTMLSelectElement>('model'), size: $<HTMLSelectElement>('size'),
  format: $<HTMLSelectElement>('format'), submit: $<HTMLButtonElement>('submit'), cancel: $<HTMLButtonElement>('cancel'),
  elapsed: $('elapsed'), result: $('result'), before: $<HTMLImageElement>('before'), after: $<HTMLImageElement>('after'),
  slider: $<HTMLInputElement>('slider'), plan: $('plan'), backend: $('backend'), latency: $('latency'),
  download: $<HTMLAnchorElement>('download'), again: $('again'), history: $('history'), historyEmpty: $('history-empty'),
};

const painter = new MaskPainter($<HTMLCanvasElement>('mask-canvas'));
let images: Blob[] = [];
let lastResult: Blob | null = null;
let running: AbortController | null = null;

// ---- errors, shown next to the field the envelope's `param` names ----
const ERROR_SLOTS = ['key', 'image', 'mask', 'prompt', 'model', 'size', 'output_format', 'general'];
function clearErrors() {
  for (const slot of ERROR_SLOTS) $(`err-${slot}`).textContent = '';
}
function showError(err: unknown) {
  if (err instanceof ApiError) {
    if (err.status === 401) {
      $('err-key').textContent = `This key was not accepted (401): ${err.body.message}`;
      els.key.focus();
      return;
    }
    const slot = err.body.param && ERROR_SLOTS.includes(err.body.param) ? err.body.param : 'general';
    $(`err-${slot}`).textContent = `${err.body.message}${err.body.code ? ` (${err.body.code})` : ''}`;
    return;
  }
  $('err-general').textContent = err instanceof Error ? err.message : String(err);
}

// ---- key and models ----
async function loadModels() {
  const key = els.key.value.trim();
  if (!key) return;
  try {
    const models = await listModels(key);
    const current = els.model.value;
    els.model.replaceChildren(...models.map((m) => new Option(m, m)));
    els.model.value = models.includes(current) ? current : models.includes('nano-banana-1') ? 'nano-banana-1' : models[0] ?? '';
    $('err-key').textContent = '';
  } catch (err) {
    showError(err);
  }
}
els.key.value = localStorage.getItem(KEY_STORAGE) ?? '';
els.key.addEventListener('change', () => {
  localStorage.setItem(KEY_STORAGE, els.key.value.trim());
  void loadModels();
});
void loadModels();

// ---- images: picker, drag and drop, paste ----
function setImages(files: Blob[]) {
  images = files.filter((f) => /^image\/(png|jpeg|webp)$/.test(f.type) || f.type === '');
  els.thumbs.replaceChildren(...images.map((img, i) => {
    const li = document.createElement('li');
    const thumb = new Image();
    thumb.src = URL.createObjectURL(img);
    thumb.alt = `Image ${i + 1}${i === 0 ? ' (the one edited)' : ''}`;
    li.append(thumb);
    return li;
  }));
  $('err-image').textContent = '';
  const first = images[0];
  els.maskTools.disabled = !first;
  if (!first) return;
  els.source.onload = () => painter.reset(els.source.naturalWidth, els.source.naturalHeight);
  els.source.src = URL.createObjectURL(first);
}
els.drop.addEventListener('click', () => els.file.click());
els.drop.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); els.file.click(); } });
els.file.addEventListener('change', () => setImages([...(els.file.files ?? [])]));
els.drop.addEventListener('dragover', (e) => { e.preventDefault(); els.drop.classList.add('over'); });
els.drop.addEventListener('dragleave', () => els.drop.classList.remove('over'));
els.drop.addEventListener('drop', (e) => {
  e.preventDefault();
  els.drop.classList.remove('over');
  setImages([...(e.dataTransfer?.files ?? [])]);
});
document.addEventListener('paste', (e) => {
  const files = [...(e.clipboardData?.files ?? [])];
  if (files.length) setImages(files);
});

// ---- mask tools ----
els.brush.addEventListener('input', () => { painter.brush = Number(els.brush.value); });
els.erase.addEventListener('change', () => { painter.erase = els.erase.checked; });
els.maskClear.addEventListener('click', () => painter.clear());

// ---- prompt examples ----
for (const chip of document.querySelectorAll<HTMLButtonElement>('.chip')) {
  chip.addEventListener('click', () => { els.prompt.value = chip.textContent ?? ''; els.prompt.focus(); });
}

// ---- result view ----
function showResult(before: Blob, after: Blob, facts: { plan?: string | undefined; backend: string; latencyMs?: number }) {
  els.before.src = URL.createObjectURL(before);
  els.after.src = URL.createObjectURL(after);
  els.plan.textContent = facts.plan ?? '–';
  els.backend.textContent = facts.backend;
  els.latency.textContent = facts.latencyMs === undefined ? '–' : `${(facts.latencyMs / 1000).toFixed(2)} s`;
  const ext = after.type.split('/')[1] ?? 'webp';
  els.download.href = els.after.src;
  els.download.download = `retouch-${Date.now()}.${ext}`;
  lastResult = after;
  els.result.hidden = false;
  setSlider();
}
function setSlider() {
  els.after.style.clipPath = `inset(0 ${100 - Number(els.slider.value)}% 0 0)`;
}
els.slider.addEventListener('input', setSlider);
els.again.addEventListener('click', () => {
  if (!lastResult) return;
  setImages([lastResult]);
  els.prompt.focus();
});

// ---- history ----
async function renderHistory() {
  const entries = await listEntries().catch(() => [] as HistoryEntry[]);
  els.historyEmpty.hidden = entries.length > 0;
  els.history.replaceChildren(...entries.map((entry) => {
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    const thumb = new Image();
    thumb.src = URL.createObjectURL(entry.after);
    thumb.alt = '';
    const text = document.createElement('span');
    text.textContent = `${entry.prompt} · ${entry.model} · ${new Date(entry.created).toLocaleTimeString()}`;
    button.append(thumb, text);
    button.setAttribute('aria-label', `Re-open: ${entry.prompt}`);
    button.addEventListener('click', () => showResult(entry.before, entry.after, { plan: entry.revisedPrompt, backend: entry.backend }));
    li.append(button);
    return li;
  }));
}
void renderHistory();

// ---- submit and cancel ----
els.form.addEventListener('submit', async (e) => {
  e.preventDefault();
  clearErrors();
  const key = els.key.value.trim();
  if (!key) return void ($('err-key').textContent = 'Enter your API key (printed once when the server first started).');
  if (!images.length) return void ($('err-image').textContent = 'Choose an image to edit.');
  if (!els.prompt.value.trim()) return void ($('err-prompt').textContent = 'Say what should change.');
  localStorage.setItem(KEY_STORAGE, key);
  running = new AbortController();
  const started = performance.now();
  const timer = setInterval(() => { els.elapsed.textContent = `Working… ${((performance.now() - started) / 1000).toFixed(1)} s`; }, 100);
  els.submit.disabled = true;
  els.cancel.hidden = false;
  const before = images[0]!;
  try {
    const out = await editImage({
      key, images, mask: await painter.toMask(), prompt: els.prompt.value.trim(), model: els.model.value,
      size: els.size.value, outputFormat: els.format.value,
    }, running.signal);
    showResult(before, out.image, { plan: out.revisedPrompt, backend: out.backend, latencyMs: out.latencyMs });
    els.elapsed.textContent = 'Done.';
    await addEntry({ created: Date.now(), prompt: els.prompt.value.trim(), model: els.model.value, backend: out.backend, revisedPrompt: out.revisedPrompt, before, after: out.image }).catch(() => {});
    await renderHistory();
  } catch (err) {
    els.elapsed.textContent = running.signal.aborted ? 'Cancelled.' : '';
    if (!running.signal.aborted) showError(err);
  } finally {
    clearInterval(timer);
    els.submit.disabled = false;
    els.cancel.hidden = true;
    running = null;
  }
});
els.cancel.addEventListener('click', () => running?.abort());
