/** Ironic's trait name rule (api_utils.validate_trait): a standard os-traits name or CUSTOM_[A-Z0-9_]+, at most 255 characters. */
import { ironicError } from '../../conductor/exceptions.ts';
import { STANDARD_TRAITS } from './standard-traits.ts';

const CUSTOM_TRAIT_RE = /^CUSTOM_[A-Z0-9_]+$/;

export function isValidTrait(trait: string): boolean {
  if (trait.length < 1 || trait.length > 255) return false;
  return STANDARD_TRAITS.has(trait) || CUSTOM_TRAIT_RE.test(trait);
}

/** 400 with ironic-api's wording for an invalid trait. */
export function validateTrait(trait: string): string {
  if (!isValidTrait(trait)) {
    throw ironicError(
      'Invalid',
      'Invalid trait. A valid trait must be no longer than 255 characters. Standard traits are defined in the os_traits library. ' +
        'A custom trait must start with the prefix CUSTOM_ and use the following characters: A-Z, 0-9 and _',
    );
  }
  return trait;
}
