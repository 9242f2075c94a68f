/**
 * Why a caller was refused. The reason goes to the log (never the credential itself); the
 * client gets a generic message, a 401 challenge or a 403.
 */
import { HttpError } from '../errors.ts';

/** Stable reasons an authentication attempt fails, as written in the log line. */
export type AuthFailureReason =
  | 'missing credentials'
  | 'malformed credentials'
  | 'token too large'
  | 'malformed token'
  | 'wrong algorithm'
  | 'bad signature'
  | 'expired'
  | 'not yet valid'
  | 'missing exp'
  | 'wrong issuer'
  | 'wrong audience'
  | 'invalid claims'
  | 'unknown user'
  | 'wrong password'
  | 'rejected by keystone'
  | 'unsupported token bind'
  | 'invalid service token'
  | 'service token lacks service role'
  | 'outside access rules';

/** An authentication attempt that failed, for a stated reason. */
export class AuthFailure extends Error {
  override name = 'AuthFailure';
  constructor(readonly reason: AuthFailureReason) {
    super(reason);
  }
}

/** The 401 answer: Ironic's error body and the strategy's challenge. */
export function unauthorized(failure: AuthFailure, challenge: string): HttpError {
  const message =
    failure.reason === 'missing credentials'
      ? 'Authentication required'
      : 'The credentials supplied are invalid or expired.';
  return new HttpError(401, message, { 'www-authenticate': challenge });
}

/** The 403 answer, worded as Ironic's HTTPForbidden. */
export function forbidden(rule: string): HttpError {
  return new HttpError(403, `Access was denied to the following resource: ${rule}`);
}
