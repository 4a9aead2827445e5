/**
 * Compile-time checks of the SDK's hand-written protocol against the types generated from the
 * server (wire.ts). Nothing here runs: `tsc` (npm run typecheck) fails, naming what drifted,
 * when the server and the SDK disagree. Regenerate wire.ts first (scripts/gen_wire_types.py).
 *
 * Checked: every op the SDK sends exists on the server and its data is data the server
 * accepts; the SDK knows every error code, push and close code the server uses (so the app
 * can translate and handle them) and pushes no name the server does not send.
 */
import type { CloseCode, ErrorCode, OpName, Ops, Pushes } from '../protocol';
import type { OpRequests, PushName, ServerCloseCode, ServerErrorCode } from './wire';

/** Resolves to `true`, or to the names that fail; assigning `true` to it then fails to compile. */
type Check<Failures> = [Failures] extends [never] ? true : Failures;

/** No data is an empty object to the server. */
type Sent<T> = T extends undefined ? Record<string, never> : T;

/** SDK ops the server has no op for (`ping` is answered before any op). */
type UnknownOps = Exclude<OpName, keyof OpRequests | 'ping'>;
export const everySdkOpExists: Check<UnknownOps> = true;

/** SDK ops whose data the server would refuse (a field it does not take, a wrong type). */
type RefusedOps = {
  [O in OpName & keyof OpRequests]: [Sent<Ops[O]['req']>] extends [OpRequests[O]] ? never : O;
}[OpName & keyof OpRequests];
export const everySdkRequestIsAccepted: Check<RefusedOps> = true;

type SdkErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
export const everyServerErrorIsKnown: Check<Exclude<ServerErrorCode, SdkErrorCode>> = true;

export const everyServerPushIsKnown: Check<Exclude<PushName, keyof Pushes>> = true;
export const noPushTheServerNeverSends: Check<Exclude<keyof Pushes, PushName>> = true;

type SdkCloseCode = (typeof CloseCode)[keyof typeof CloseCode];
export const everyServerCloseCodeIsKnown: Check<Exclude<ServerCloseCode, SdkCloseCode>> = true;
