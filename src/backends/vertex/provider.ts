import { z } from 'zod';
import type { ProviderConfig } from '../../config/routing.ts';
import { GOOGLE_IMAGE_CAPABILITIES, GOOGLE_IMAGE_MODELS } from '../gemini/provider.ts';
import { defineProvider } from '../provider.ts';
import { VertexBackend } from './index.ts';

export interface VertexConfig extends ProviderConfig {
  project: string;
  /** `global`, or a region such as `us-central1`. */
  location: string;
  /** Path of a service account's JSON key. */
  keyFile?: string;
  /** The JSON key itself (e.g. `${VERTEX_SA_KEY}`). Neither: Application Default Credentials. */
  credentials?: string;
}

const json = z.string().refine((s) => {
  try {
    return typeof JSON.parse(s) === 'object';
  } catch {
    return false;
  }
}, 'credentials must be a service account key as JSON');

/** `vertex`: Gemini image models on Vertex AI, authenticated as a service account. */
export const vertex = defineProvider<VertexConfig>({
  type: 'vertex',
  fields: z.object({
    project: z.string().min(1, 'project is empty'),
    location: z.string().regex(/^[a-z0-9-]+$/, 'location is global or a region such as us-central1').default('global'),
    keyFile: z.string().min(1).optional(),
    credentials: json.optional(),
  }),
  defaultBaseUrl: (f) => (f.location && f.location !== 'global' ? `https://${f.location}-aiplatform.googleapis.com` : 'https://aiplatform.googleapis.com'),
  models: GOOGLE_IMAGE_MODELS,
  capabilities: GOOGLE_IMAGE_CAPABILITIES,
  describe: (p) => `project ${p.project}, ${p.location}, ${p.keyFile ? `key file ${p.keyFile}` : p.credentials ? 'key from config' : 'default credentials'}`,
  create: (p, deps) => new VertexBackend(p, deps),
});
