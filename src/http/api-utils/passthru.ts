/**
 * Vendor passthru answers, node and driver routes alike, as ironic-api's
 * api_utils.vendor_passthru and its controllers make them: 202 for an asynchronous method
 * (with no body when it returned nothing), 200 otherwise; the return value as JSON, or, when
 * the driver asks to `attach` it, as the raw body (text as UTF-8 bytes).
 *
 * Every answer is `Content-Type: application/json`, attachments included: ironic-api's
 * passthru controllers are exposed as JSON (Queens' wsme `expose` and 21.4's
 * `method.expose`, both `content_type='application/json'`), and neither sets another type for
 * an attachment. (21.4's ironic-api in fact answers an attach method with a 500, json.dumps
 * refusing the BytesIO; the gateway sends the bytes with the type that route declares.)
 */
import type { FastifyReply } from 'fastify';
import type { VendorPassthruResult } from '../../conductor/api.ts';
import { ironicError } from '../../conductor/exceptions.ts';

/** Sends a vendor method's result (node or driver passthru). */
export function sendVendorResult(reply: FastifyReply, result: VendorPassthruResult): FastifyReply {
  reply.code(result.async ? 202 : 200).type('application/json');
  if (result.attach) {
    const raw = result.return;
    const body = Buffer.isBuffer(raw)
      ? raw
      : Buffer.from(typeof raw === 'string' ? raw : JSON.stringify(raw ?? ''), 'utf8');
    return reply.send(body);
  }
  if (result.async && (result.return === null || result.return === undefined)) return reply.send();
  return reply.send(JSON.stringify(result.return ?? null));
}

/**
 * The vendor method a passthru call names: the path segment after `vendor_passthru/` (as
 * python-ironicclient and openstacksdk send it; ironic-api's `_default` takes either) or the
 * `method` query parameter (400 "Method not specified" when neither).
 */
export function vendorMethodOf(inPath: string | undefined, inQuery: string | undefined): string {
  const method = inPath || inQuery;
  if (!method) throw ironicError('Invalid', 'Method not specified');
  return method;
}
