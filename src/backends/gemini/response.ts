import { errors, type RetouchError } from '../../errors.ts';
import { base64Bytes, type LiftedBase64 } from '../upstream/json-with-images.ts';

// finishReasons that mean "refused", from Google's generateContent reference.
const REFUSALS = new Set([
  'SAFETY', 'PROHIBITED_CONTENT', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'IMAGE_OTHER', 'RECITATION',
  'BLOCKLIST', 'SPII', 'IMAGE_RECITATION',
]);

interface Part {
  text?: string;
  thought?: boolean;
  inlineData?: { mimeType?: string; data?: string | LiftedBase64 };
  inline_data?: { mime_type?: string; data?: string | LiftedBase64 };
}

export interface GeminiImage {
  bytes: Buffer;
  usage: { input_tokens: number; output_tokens: number; total_tokens: number } | undefined;
}

/**
 * Reads a generateContent answer: the last image part that is not a thought. A 200 can still be a
 * refusal (block reason, safety finish reason, or text and no image): those are 400
 * moderation_blocked; an answer with neither image nor reason is 502 upstream_no_image.
 */
export function readGeminiAnswer(json: any, provider: string): GeminiImage | RetouchError {
  const meta = json?.usageMetadata;
  const usage = meta ? {
    input_tokens: Number(meta.promptTokenCount ?? 0),
    output_tokens: Number(meta.candidatesTokenCount ?? 0),
    total_tokens: Number(meta.totalTokenCount ?? 0),
  } : undefined;
  const blockReason = json?.promptFeedback?.blockReason;
  if (blockReason) return errors.moderationBlocked(`The ${provider} upstream blocked the prompt (${blockReason}).`);
  const candidates: any[] = Array.isArray(json?.candidates) ? json.candidates : [];
  const parts: Part[] = candidates.flatMap((c) => (Array.isArray(c?.content?.parts) ? c.content.parts : []));
  const image = parts.filter((p) => !p.thought && (p.inlineData?.data || p.inline_data?.data)).pop();
  if (image) return { bytes: base64Bytes(image.inlineData?.data ?? image.inline_data?.data)!, usage };
  const reason = candidates.map((c) => c?.finishReason).find((r) => typeof r === 'string' && REFUSALS.has(r));
  if (reason) return errors.moderationBlocked(`The ${provider} upstream refused to make this image (${reason}).`);
  if (candidates.some((c) => c?.finishReason === 'NO_IMAGE')) return errors.upstreamNoImage(`The ${provider} upstream made no image (NO_IMAGE).`);
  const text = parts.filter((p) => !p.thought && typeof p.text === 'string').map((p) => p.text).join(' ').trim();
  if (text) {
    // The model answered in words instead: in practice a refusal, which its text explains.
    return errors.moderationBlocked(`The ${provider} upstream answered with text and no image: ${text.slice(0, 300)}`);
  }
  return errors.upstreamNoImage(`The ${provider} upstream answered without an image.`);
}
