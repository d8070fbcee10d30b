import type { FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Services } from '../../app.ts';
import { auditAdminActions } from './audit.ts';
import { adminAuth } from './auth.ts';
import { adminKeyRoutes } from './keys.ts';
import { adminUsageRoutes } from './usage.ts';

/**
 * The admin API under /v1/admin, in a scope of its own: admin-key auth on every route, zod
 * validation and serialisation (only here: the public routes keep their hand-written parsing), and
 * the audit log.
 */
export async function adminRoutes(app: FastifyInstance, services: Services): Promise<void> {
  await app.register(async (scope) => {
    scope.setValidatorCompiler(validatorCompiler);
    scope.setSerializerCompiler(serializerCompiler);
    scope.addHook('onRequest', adminAuth(services.keys));
    auditAdminActions(scope, services.store);
    adminKeyRoutes(scope, services.keys);
    adminUsageRoutes(scope, services.store);
  });
}
