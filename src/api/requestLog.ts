// How the API's log lines describe a request and its answer: the method, the route pattern
// (`/clinics/:id/patients/:patientId`, never the URL with its ids and query) and the request id; the
// status of the answer. Never a body, a query string or a header (credentials travel in headers).
import type { FastifyRequest } from 'fastify';

export const REQUEST_LOG_SERIALIZERS = {
  // Serializers must never throw (a throw inside pino would take the process down): every read is guarded.
  req: (request: FastifyRequest) => ({
    method: request?.method,
    route: request?.routeOptions?.url ?? null,
    requestId: request?.id === undefined ? undefined : String(request.id),
  }),
  res: (reply: { statusCode: number }) => ({ statusCode: reply?.statusCode }),
};
