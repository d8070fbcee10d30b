import type { EditRequest } from '../../edits/request.ts';
import { upstreamSize } from './sizes.ts';

/** Families of OpenAI image models, by what their edit endpoint accepts. */
export type OpenAIFamily = 'gpt-image' | 'dall-e-2';

export const familyOf = (model: string): OpenAIFamily => (/^dall-e-2/.test(model) ? 'dall-e-2' : 'gpt-image');

/**
 * The text fields sent to `{baseUrl}/images/edits`, by family. GPT image models reject
 * response_format (they always return b64_json); dall-e-2 knows none of the newer fields. A `size`
 * the upstream does not offer is left out and applied to the result instead (see conform.ts).
 */
export function openAIFields(request: EditRequest, model: string): Array<[string, string]> {
  const family = familyOf(model);
  const fields: Array<[string, string]> = [['model', model], ['prompt', request.prompt], ['n', String(request.n)]];
  const size = upstreamSize(request, model);
  if (size) fields.push(['size', size]);
  if (family === 'dall-e-2') {
    fields.push(['response_format', 'b64_json']);
  } else {
    fields.push(['output_format', request.outputFormat]);
    if (request.background !== 'auto') fields.push(['background', request.background]);
    if (request.outputCompression !== undefined && request.outputFormat !== 'png') fields.push(['output_compression', String(request.outputCompression)]);
    for (const name of ['quality', 'input_fidelity', 'moderation'] as const) {
      const v = request.extra[name];
      if (v) fields.push([name, v]);
    }
  }
  if (request.extra.user) fields.push(['user', request.extra.user]);
  return fields;
}
