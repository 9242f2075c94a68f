/**
 * Node traits: the names Ironic's API accepts (a standard os_traits name or CUSTOM_[A-Z0-9_]+,
 * at most 255 characters) and the DB-API's limit of 50 per node.
 */
import { ironicError } from '../conductor/exceptions.ts';
import type { TraitRow } from './primitives.ts';
import type { NodeRow } from './store.ts';

export const MAX_TRAITS_PER_NODE = 50;
const CUSTOM_TRAIT = /^CUSTOM_[A-Z0-9_]+$/;
/** os_traits' namespaces (Queens); a name under one of them, in its alphabet, counts as standard. */
const STANDARD_TRAIT = /^(HW|STORAGE|MISC|COMPUTE)_[A-Z0-9_]+$/;

export function validateTrait(trait: unknown): asserts trait is string {
  const ok =
    typeof trait === 'string' &&
    trait.length >= 1 &&
    trait.length <= 255 &&
    (CUSTOM_TRAIT.test(trait) || STANDARD_TRAIT.test(trait));
  if (!ok) {
    throw ironicError(
      'InvalidParameterValue',
      'Invalid trait. A valid trait must be no longer than 255 characters. Standard traits are defined in the os_traits library. A custom trait must start with the prefix CUSTOM_ and use the following characters: A-Z, 0-9 and _',
    );
  }
}

function checkLimit(node: NodeRow, nodeIdent: unknown, count: number): void {
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
  for (const t of list) validateTrait(t);
  const now = new Date();
  if (replace) {
    const unique = [...new Set(list as string[])];
    checkLimit(node, nodeIdent, unique.length);
    node.traits = unique.map((trait): TraitRow => ({ trait, created_at: now, updated_at: null }));
    return;
  }
  for (const trait of list as string[]) {
    if (node.traits.some((t) => t.trait === trait)) continue;
    checkLimit(node, nodeIdent, node.traits.length + 1);
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
