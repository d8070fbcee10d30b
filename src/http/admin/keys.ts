import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errors, RetouchError } from '../../errors.ts';
import type { KeyService } from '../../keys/index.ts';
import { ADMIN_ERRORS, ApiKey, ApiKeyWithSecret, CreateKey, KeyId, KeyList, UpdateKey } from './schemas.ts';
import { keyToWire, limitsFromWire, limitsToWire } from './wire.ts';

const noKey = (id: string) => errors.notFound(id.startsWith('key_static_')
  ? `The key ${id} comes from the environment (RETOUCH_API_KEYS or RETOUCH_ADMIN_KEYS); change it there.`
  : `No key with id ${id}. GET /v1/admin/keys lists them.`);

/** /v1/admin/keys: create (the secret shown once), list, get, change limits, revoke, rotate. */
export function adminKeyRoutes(scope: FastifyInstance, keys: KeyService): void {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const tags = ['admin: keys'];

  app.get('/v1/admin/keys', {
    config: { action: 'keys.list' },
    schema: { tags, summary: 'List API keys (never their secrets)', response: { 200: KeyList, ...ADMIN_ERRORS } },
  }, async () => ({ object: 'list' as const, data: (await keys.views()).map(keyToWire) }));

  app.post('/v1/admin/keys', {
    config: { action: 'keys.create' },
    schema: { tags, summary: 'Create a key; its secret is in this answer only', body: CreateKey, response: { 201: ApiKeyWithSecret, ...ADMIN_ERRORS } },
  }, async (request, reply) => {
    const { name, admin, limits } = request.body;
    const own = limits && Object.keys(limits).length ? limitsFromWire(limits) : null;
    const made = await keys.create(name ?? null, own, admin ? ['admin'] : []);
    request.audit = { target: made.id, detail: { name: name ?? null, admin: Boolean(admin), limits: limitsToWire(own) } };
    const view = (await keys.get(made.id))!;
    return reply.code(201).send({ ...keyToWire(view), secret: made.secret });
  });

  app.get('/v1/admin/keys/:id', {
    config: { action: 'keys.get' },
    schema: { tags, summary: 'One key', params: KeyId, response: { 200: ApiKey, ...ADMIN_ERRORS } },
  }, async (request) => {
    const key = await keys.get(request.params.id);
    if (!key) throw noKey(request.params.id);
    return keyToWire(key);
  });

  app.patch('/v1/admin/keys/:id', {
    config: { action: 'keys.update' },
    schema: { tags, summary: "Change a key's rate limits and quotas (0 or null: back to the server default)", params: KeyId, body: UpdateKey, response: { 200: ApiKey, ...ADMIN_ERRORS } },
  }, async (request) => {
    const { id } = request.params;
    request.audit = { detail: { limits: request.body.limits } };
    if (!(await keys.update(id, limitsFromWire(request.body.limits)))) throw noKey(id);
    return keyToWire((await keys.get(id))!);
  });

  app.post('/v1/admin/keys/:id/revoke', {
    config: { action: 'keys.revoke' },
    schema: { tags, summary: 'Revoke a key; its secret stops working at once (revoking twice changes nothing)', params: KeyId, response: { 200: ApiKey, ...ADMIN_ERRORS } },
  }, async (request) => {
    const { id } = request.params;
    const key = await keys.get(id);
    if (!key) throw noKey(id);
    if (key.revokedAt === null) await keys.revoke(id);
    return keyToWire((await keys.get(id))!);
  });

  app.post('/v1/admin/keys/:id/rotate', {
    config: { action: 'keys.rotate' },
    schema: { tags, summary: 'Give a key a new secret, shown once; the old one stops working at once', params: KeyId, response: { 200: ApiKeyWithSecret, ...ADMIN_ERRORS, 409: ADMIN_ERRORS[400] } },
  }, async (request) => {
    const { id } = request.params;
    const key = await keys.get(id);
    if (!key) throw noKey(id);
    if (key.revokedAt !== null) {
      throw new RetouchError(`The key ${id} is revoked; create a new one instead.`, { status: 409, type: 'invalid_request_error', code: 'key_revoked', param: 'id' });
    }
    const rotated = await keys.rotate(id);
    if (!rotated) throw noKey(id);
    return { ...keyToWire((await keys.get(id))!), secret: rotated.secret };
  });
}
