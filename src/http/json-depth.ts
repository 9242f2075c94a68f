/**
 * The nesting limit of request bodies. A JSON body is checked before it is parsed, so that no
 * recursive walker ever sees a document deeper than MAX_JSON_DEPTH: secure-json-parse's
 * prototype scan, ajv, fast-json-patch's deepClone and `test` comparison, the patch error
 * message's JSON.stringify, the secret masking of representation.ts, the versioned-object
 * (de)serializers of conductor/objects.ts and simulator/primitives.ts, and the RPC message
 * encoder (rpc/wire.ts), all of which recurse once per level and overflow the stack at a few
 * thousand levels. ironic-api has no limit of its own (it fails with a 500 from about 1,000
 * levels, Python's recursion limit); Ironic's documents (RAID configs, deploy steps, `extra`)
 * nest a handful of levels.
 */
import { MINOR_115_NODE_HISTORY_FIELDS } from './versions.ts';

/** Deepest nesting of arrays and objects a request body may have (100 levels). */
export const MAX_JSON_DEPTH = 100;

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_ARRAY = 91;
const OPEN_OBJECT = 123;
const CLOSE_ARRAY = 93;
const CLOSE_OBJECT = 125;

/**
 * True when JSON text nests arrays and objects more than `max` levels deep. One pass, no
 * recursion; brackets inside strings are not counted. Text that is not JSON gets an answer too
 * (the parser refuses it afterwards).
 */
export function nestsDeeperThan(text: string, max: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > max) return true;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
  }
  return false;
}

/** The faultstring of a body refused for its depth. */
export const TOO_DEEP_MESSAGE = `Invalid input: the JSON body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep.`;

// ---- 39.0's JsonDepthMiddleware (issue 15, slice nodes) ------------------------------------------

/**
 * `[api]max_json_body_depth` of 39.0 (25) and its body size limits in bytes
 * (`max_json_body_size` 1024 KiB; 64 MiB for `…/states/provision`, 16 MiB for
 * `/v1/continue_inspection`). A gateway answering as 39.0 refuses as its middleware does,
 * before the API: raw `{"faultcode", "faultstring"}` bodies (not wrapped in `error_message`)
 * without version headers.
 */
export const MAX_JSON_DEPTH_39 = 25;
export const PROVISION_BODY_LIMIT_39 = 65536 * 1024;
export const INSPECTION_BODY_LIMIT_39 = 16384 * 1024;
export const TOO_DEEP_39 = 'Request body JSON is nested too deeply. Please contact the service administrator.';
export const TOO_LARGE_39 = 'Request body is too large. Please contact the service administrator.';

/**
 * Whether the app answers as an Ironic with the JSON limits middleware: 39.0 (the release the
 * reference verified it in; the release that introduced it is not recorded there), so only the
 * unpinned gateway or a 39.0 pin.
 */
export function servesJsonLimits(app: { readonly apiMaxMinor: number }): boolean {
  return app.apiMaxMinor >= MINOR_115_NODE_HISTORY_FIELDS;
}

/** A refusal of the JSON limits middleware: answered raw (errors.ts handleError). */
export class RawFault extends Error {
  override name = 'RawFault';
  constructor(
    readonly statusCode: 400 | 413,
    readonly faultstring: string,
  ) {
    super(faultstring);
  }
}

/** The middleware's body, byte for byte as 39.0 writes it. */
export function rawFaultBody(faultstring: string): string {
  return `{"faultcode": "Client", "faultstring": "${faultstring}"}`;
}
