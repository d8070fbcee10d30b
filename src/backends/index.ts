import type { EditRequest } from '../edits/request.ts';
import type { EncodedImage } from '../images/encode.ts';

/** What a backend hands back: encoded images in the requested output format. */
export interface BackendResult {
  images: EncodedImage[];
  /** How the prompt was understood, returned as data[i].revised_prompt. */
  revisedPrompt?: string;
  /** Headers worth showing the client (e.g. which segmenter ran). */
  headers?: Record<string, string>;
  usage?: Record<string, unknown>;
  /** For upstreams: how many HTTP attempts the call took and how long it waited on the upstream. */
  upstream?: { attempts: number; latencyMs: number };
}

export interface BackendCall {
  /** The model name on the backend's side (e.g. the upstream's model id). */
  model: string;
  signal: AbortSignal;
  /**
   * Present when the client streams and asked for partial images (`partial_images` > 0): a backend
   * that can show the edit before it ends hands previews here (the router numbers them and stops at
   * the number asked for). A backend that ignores it is previewed from its result by the router.
   */
  onPartial?: (image: EncodedImage) => void;
}

/** One place edits can be served from: the local engine, or an upstream provider. */
export interface Backend {
  /** Short name reported in x-retouch-backend and usage records. */
  readonly name: string;
  edit(request: EditRequest, call: BackendCall): Promise<BackendResult>;
}

/** One step of a model's route: a backend and the model name it is asked for. */
export interface RouteEntry {
  backend: Backend;
  model: string;
}
