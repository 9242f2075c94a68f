/**
 * JSON Patch (RFC 6902) with ironic-api's rules (types.JsonPatchType + utils.apply_jsonpatch):
 * only add/replace/remove on paths of `[\w-]` segments; internal attributes can not be touched;
 * mandatory ones can not be removed; add/replace need a value; nothing new is added at the root.
 * Applied with fast-json-patch (the document is copied, never mutated).
 */
import jsonpatch from 'fast-json-patch';
import { ironicError } from '../../conductor/exceptions.ts';

export interface PatchOp {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

export interface PatchRules {
  /** root paths (`/uuid` …) that can not be added, replaced or removed */
  readonly internal: readonly string[];
  /** paths that can not be removed (the resource's mandatory attributes) */
  readonly nonRemovable: readonly string[];
}

/** Internal attributes of every resource (JsonPatchType.internal_attrs). */
export const BASE_INTERNAL_ATTRS = ['/created_at', '/id', '/links', '/updated_at', '/uuid'] as const;

/** JSON schema of a patch document, for route bodies. */
export const patchBodySchema = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      path: { type: 'string', pattern: '^(/[\\w-]+)+$' },
      op: { type: 'string', enum: ['add', 'replace', 'remove'] },
      value: {},
    },
    required: ['path', 'op'],
    additionalProperties: false,
  },
} as const;

const invalid = (msg: string): Error => ironicError('Invalid', msg);

/** JsonPatchType.validate for each operation. */
export function validatePatch(patch: readonly PatchOp[], rules: PatchRules): void {
  for (const p of patch) {
    const root = `/${p.path.split('/')[1]}`;
    if (rules.internal.includes(root)) throw invalid(`'${p.path}' is an internal attribute and can not be updated`);
    if (p.op === 'remove' && rules.nonRemovable.includes(p.path)) {
      throw invalid(`'${p.path}' is a mandatory attribute and can not be removed`);
    }
    if (p.op !== 'remove' && !('value' in p)) throw invalid("'add' and 'replace' operations need a value");
  }
}

/** Values a patch sets at exactly `path` (utils.get_patch_values). */
export function getPatchValues(patch: readonly PatchOp[], path: string): unknown[] {
  return patch.filter((p) => p.path === path && p.op !== 'remove').map((p) => p.value);
}

/** True when the patch touches `path` or below it with any op. */
export function touchesPath(patch: readonly PatchOp[], path: string): boolean {
  return patch.some((p) => p.path === path || p.path.startsWith(`${path}/`));
}

/** Applies `patch` to a copy of `doc` (utils.apply_jsonpatch); PatchError (400) on failure. */
export function applyPatch<T extends Record<string, unknown>>(doc: T, patch: readonly PatchOp[]): T {
  for (const p of patch) {
    if (p.op === 'add' && p.path.split('/').length === 2 && !Object.hasOwn(doc, p.path.slice(1))) {
      throw invalid(`Adding a new attribute (${p.path}) to the root of the resource is not allowed`);
    }
  }
  try {
    const ops = patch.map((p) => ({ ...p })) as jsonpatch.Operation[];
    return jsonpatch.applyPatch(jsonpatch.deepClone(doc) as T, ops, true, true, true).newDocument;
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw ironicError('PatchError', `Couldn't apply patch '${JSON.stringify(patch)}'. Reason: ${reason}`);
  }
}
