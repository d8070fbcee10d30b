import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../errors.ts';
import type { KeyService } from '../keys/index.ts';

/**
 * Checks `Authorization: Bearer <key>` before the body is read, so an unauthenticated upload costs
 * nothing beyond its headers.
 */
export function bearerAuth(keys: KeyService) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      // Worded so that no credential-shaped text ("Bearer" then a token, "Authorization: …")
      // appears: the redactor would turn the product's own hint into "[redacted]".
      throw errors.invalidApiKey(header
        ? 'The Authorization header must hold the word Bearer, a space, then your API key.'
        : "You didn't provide an API key. Send an Authorization header holding the word Bearer, a space, then your API key.");
    }
    const key = await keys.verify(match[1]!);
    if (!key) throw errors.invalidApiKey('Incorrect API key provided. Create one with `retouch keys create`.');
    request.apiKeyId = key.id;
    request.apiKeyLimits = key.limits;
    request.apiKeyScopes = key.scopes;
  };
}
