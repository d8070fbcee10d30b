import { ApiError, cancelJob, fetchResult, followJob, type Job, jobFailure, listModels, submitEdit } from './api.ts';
import { addEntry, getPending, type HistoryEntry, listEntries, type PendingEdit, setPending } from './history.ts';
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
  previewNote: $('preview-note'), resultActions: $('result-actions'),
};

const painter = new MaskPainter($<HTMLCanvasElement>('mask-canvas'));
let images: Blob[] = [];
let lastResult: Blob | null = null;
/** The edit this page is following, if any: its job, and what stops following it. */
let running: { jobId: string | null; key: string; abort: AbortController } | null = null;

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
const EDITABLE = (f: Blob) => /^image\/(png|jpeg|webp)$/.test(f.type) || f.type === '';
function setImages(files: Blob[]) {
  const refused = files.filter((f) => !EDITABLE(f));
  // A picked GIF or HEIC must say why it is not taken, not leave an empty selection behind.
  if (refused.length && refused.length === files.length) {
    const name = (refused[0] as File).name ?? 'That file';
    $('err-image').textContent = `${name}: only PNG, JPEG and WEBP images can be edited (this is ${refused[0]!.type || 'another kind of file'}).`;
    return;
  }
  images = files.filter(EDITABLE);
  els.thumbs.replaceChildren(...images.map((img, i) => {
    const li = document.createElement('li');
    const thumb = new Image();
    thumb.src = URL.createObjectURL(img);
    thumb.alt = `Image ${i + 1}${i === 0 ? ' (the one edited)' : ''}`;
    li.append(thumb);
    return li;
  }));
  $('err-image').textContent = refused.length ? `Left out (not PNG, JPEG or WEBP): ${refused.map((f) => (f as File).name ?? f.type).join(', ')}.` : '';
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
  els.previewNote.hidden = true;
  els.resultActions.hidden = false;
  els.result.hidden = false;
  setSlider();
}
/** A partial image while the edit runs: shown in place of the result, said to be a preview. */
function showPreview(before: Blob, partial: { b64: string; format: string; index: number }) {
  els.before.src = URL.createObjectURL(before);
  els.after.src = `data:image/${partial.format};base64,${partial.b64}`;
  els.previewNote.textContent = `Preview ${partial.index + 1} (low resolution): the edit is still running.`;
  els.previewNote.hidden = false;
  els.resultActions.hidden = true;
  for (const dd of [els.plan, els.backend, els.latency]) dd.textContent = '–';
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

// ---- submit, follow, cancel ----
// An edit runs as an async job: the page follows it (its partial images, its end), and the job id
// is kept in IndexedDB until the end is seen, so a reload follows the same job again.
function busy(started: number, status: () => string): () => void {
  const tick = () => { els.elapsed.textContent = `${status()} ${((Date.now() - started) / 1000).toFixed(1)} s`; };
  tick();
  const timer = setInterval(tick, 100);
  els.submit.disabled = true;
  els.cancel.hidden = false;
  // Stopped as soon as the outcome is known, before the words that say it: a tick after them
  // would write over them. Stopping twice is harmless.
  return () => {
    clearInterval(timer);
    els.submit.disabled = false;
    els.cancel.hidden = true;
  };
}

async function follow(pending: PendingEdit): Promise<void> {
  const { key } = pending;
  const abort = new AbortController();
  running = { jobId: pending.jobId, key, abort };
  let status: Job['status'] = 'queued';
  // Whether there is nothing left for a reload to follow: the end was seen, or the API said why not.
  // A broken connection (the page unloading, say) is not that: the job goes on and a reload follows it.
  let settled = false;
  const idle = busy(pending.started, () => (status === 'queued' ? 'Queued…' : 'Working…'));
  try {
    const job = await followJob(key, pending.jobId, {
      onJob: (j) => { status = j.status; },
      onPartial: (p) => showPreview(pending.before, p),
    }, abort.signal);
    settled = true;
    idle();
    if (job.status === 'canceled') {
      els.elapsed.textContent = 'Cancelled.';
      return;
    }
    if (job.status !== 'succeeded' || !job.data?.[0]) throw jobFailure(job);
    const after = await fetchResult(job.data[0].url, abort.signal);
    const facts = { plan: job.data[0].revised_prompt, backend: job.backend ?? 'unknown', latencyMs: Date.now() - pending.started };
    showResult(pending.before, after, facts);
    els.elapsed.textContent = 'Done.';
    await addEntry({ created: Date.now(), prompt: pending.prompt, model: pending.model, backend: facts.backend, revisedPrompt: facts.plan, before: pending.before, after }).catch(() => {});
    await renderHistory();
  } catch (err) {
    idle();
    if (err instanceof ApiError) settled = true;
    els.elapsed.textContent = abort.signal.aborted ? 'Cancelled.' : '';
    if (!abort.signal.aborted) {
      els.previewNote.hidden = true;
      showError(err);
    }
  } finally {
    idle();
    running = null;
    if (settled || abort.signal.aborted) await setPending(null).catch(() => {});
  }
}

els.form.addEventListener('submit', async (e) => {
  e.preventDefault();
  clearErrors();
  const key = els.key.value.trim();
  if (!key) return void ($('err-key').textContent = 'Enter your API key (printed once when the server first started).');
  if (!images.length) return void ($('err-image').textContent = 'Choose an image to edit.');
  if (!els.prompt.value.trim()) return void ($('err-prompt').textContent = 'Say what should change.');
  localStorage.setItem(KEY_STORAGE, key);
  const abort = new AbortController();
  running = { jobId: null, key, abort };
  const started = Date.now();
  const idle = busy(started, () => 'Sending…');
  const prompt = els.prompt.value.trim();
  let pending: PendingEdit;
  try {
    const job = await submitEdit({
      key, images, mask: await painter.toMask(), prompt, model: els.model.value, size: els.size.value, outputFormat: els.format.value,
    }, abort.signal);
    pending = { jobId: job.id, key, started, prompt, model: els.model.value, before: images[0]! };
    await setPending(pending).catch(() => {}); // without IndexedDB the edit still runs; only a reload loses it
  } catch (err) {
    idle();
    els.elapsed.textContent = abort.signal.aborted ? 'Cancelled.' : '';
    if (!abort.signal.aborted) showError(err);
    return;
  } finally {
    idle();
    running = null;
  }
  await follow(pending);
});

els.cancel.addEventListener('click', () => {
  if (!running) return;
  const { jobId, abort } = running;
  abort.abort();
  if (jobId) void cancelJob(running.key, jobId).catch(showError);
});

// A reload while an edit ran: follow the same job to its end.
void getPending().then(async (pending) => {
  // A pending edit from before the key was kept with it is followed with the page's key.
  const key = pending?.key ?? els.key.value.trim();
  if (!pending || !key || running) return;
  els.elapsed.textContent = 'Resuming the edit started before the page was reloaded…';
  await follow({ ...pending, key });
}).catch(() => {});
