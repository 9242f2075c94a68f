/**
 * Errors of the RPC layer. Local failures (timeout, nobody listening, broker gone) are their
 * own classes; a failure the remote side raised arrives as a RemoteError naming its class.
 */
export class RpcError extends Error {
  override name = 'RpcError';
}

/** No reply within the call's timeout (oslo.messaging's MessagingTimeout). */
export class MessagingTimeout extends RpcError {
  override name = 'MessagingTimeout';
}

/** The broker could not route the message: no consumer for the topic (oslo's MessageUndeliverable). */
export class MessageUndeliverable extends RpcError {
  override name = 'MessageUndeliverable';
}

/** The transport is down or the connection was lost while the call was in flight. */
export class TransportUnavailable extends RpcError {
  override name = 'TransportUnavailable';
}

/** The requested RPC version is above the client's version cap. */
export class RpcVersionCapError extends RpcError {
  override name = 'RPCVersionCapError';
}

/** Decoded oslo.messaging failure: the remote exception's class, module, message and kwargs. */
export class RemoteError extends Error {
  override name = 'RemoteError';
  constructor(
    readonly exc_type: string,
    message: string,
    readonly kwargs: Record<string, unknown> = {},
    readonly module = 'ironic.common.exception',
    /** remote traceback lines: for logs only, never sent to a client */
    readonly remoteTraceback: readonly string[] = [],
  ) {
    super(message);
  }
}
