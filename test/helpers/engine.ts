import { LocalBackend } from '../../src/backends/local/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { buildEditRequest } from '../../src/edits/build.ts';
import { parseScalarFields } from '../../src/edits/request.ts';

/** The server's default limits (pixel cap, prompt length), as an edit meets them. */
export const limits = loadConfig({}).limits;

/**
 * The local engine in this process, as the edit service calls it; its default segmenter is GrabCut,
 * so results do not depend on the optional model being installed.
 */
export function localEngine(bounds: { concurrency: number; queue: number } = { concurrency: 2, queue: 16 }): LocalBackend {
  return new LocalBackend(limits.maxInputPixels, bounds);
}

/** The request the edit service builds from a form: images, the prompt, PNG out unless `fields` say otherwise. */
export async function editRequest(image: Buffer | Buffer[], prompt: string, fields: Record<string, string> = {}, mask?: Buffer) {
  const scalars = parseScalarFields({ prompt, model: 'retouch-local-1', output_format: 'png', ...fields }, limits.maxPromptChars);
  return buildEditRequest({ fields: {}, images: Array.isArray(image) ? image : [image], mask }, scalars, limits);
}

/** One edit on `engine`, with a signal nobody aborts: the engine's result (images, headers, revised prompt). */
export async function runEdit(engine: LocalBackend, image: Buffer | Buffer[], prompt: string, fields: Record<string, string> = {}, mask?: Buffer) {
  return engine.edit(await editRequest(image, prompt, fields, mask), { model: 'retouch-local-1', signal: new AbortController().signal });
}

/** One edit's first image and the plan's words (revised_prompt), for tests of what a prompt did. */
export async function editedImage(engine: LocalBackend, image: Buffer, prompt: string): Promise<{ bytes: Buffer; revised: string }> {
  const result = await runEdit(engine, image, prompt);
  return { bytes: result.images[0]!.bytes, revised: result.revisedPrompt! };
}
