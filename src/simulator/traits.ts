/**
 * Node traits as the conductor stores them (add_node_traits, remove_node_traits in Ironic's
 * conductor/manager.py): the DB-API's limit of 50 per node is checked, trait names are not —
 * ironic-api checks those before the RPC (src/http/api-utils/traits.ts).
 */
import { ironicError } from '../conductor/exceptions.ts';
import type { TraitRow } from './primitives.ts';
import type { NodeRow } from './store.ts';

const MAX_TRAITS_PER_NODE = 50;

function checkLimit(nodeIdent: unknown, count: number): void {
  if (count > MAX_TRAITS_PER_NODE) {
    throw ironicError(
      'InvalidParameterValue',
      `Could not modify traits for node ${String(nodeIdent)} as it would exceed the maximum number of traits per node (${count} vs. ${MAX_TRAITS_PER_NODE})`,
      { node_id: nodeIdent, num_traits: count, max_traits: MAX_TRAITS_PER_NODE },
    );
  }
}

/** add_node_traits: replace sets the whole list (duplicates removed); otherwise each is added, duplicates ignored. */
export function addTraits(node: NodeRow, nodeIdent: unknown, traits: unknown, replace: boolean): void {
  const list = Array.isArray(traits) ? traits : [];
  const now = new Date();
  if (replace) {
    const unique = [...new Set(list as string[])];
    checkLimit(nodeIdent, unique.length);
    node.traits = unique.map((trait): TraitRow => ({ trait, created_at: now, updated_at: null }));
    return;
  }
  for (const trait of list as string[]) {
    if (node.traits.some((t) => t.trait === trait)) continue;
    checkLimit(nodeIdent, node.traits.length + 1);
    node.traits.push({ trait, created_at: now, updated_at: null });
  }
}

/** remove_node_traits: null removes all; a named trait the node lacks is NodeTraitNotFound. */
export function removeTraits(node: NodeRow, nodeIdent: unknown, traits: unknown): void {
  if (traits === null || traits === undefined) {
    node.traits = [];
    return;
  }
  for (const trait of Array.isArray(traits) ? traits : []) {
    const i = node.traits.findIndex((t) => t.trait === trait);
    if (i === -1)
      throw ironicError('NodeTraitNotFound', `Node ${String(nodeIdent)} doesn't have a trait '${String(trait)}'`, {
        node_id: nodeIdent,
        trait,
      });
    node.traits.splice(i, 1);
  }
}
