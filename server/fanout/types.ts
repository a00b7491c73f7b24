/**
 * How server processes tell each other what their clients changed. The default is a single
 * process (nothing to tell); Redis connects several.
 */
export interface FanoutHandlers {
  /** An update another process accepted and stored. */
  update(update: Uint8Array): void
  /** An awareness update from another process; `source` names that process. */
  awareness(update: Uint8Array, source: string): void
  /** The document was deleted through another process. */
  deleted(): void
  /**
   * Messages may have been missed (the link between processes was down): the document should be
   * refreshed from storage, which holds everything any process accepted.
   */
  resync(): void
  /**
   * Another process just opened the document and asks for the presence of this process's
   * clients, which it could not have heard before it subscribed.
   */
  presenceRequested?(): void
  /** A share link to the document was revoked: its sockets in this process are closed. */
  shareRevoked?(shareId: string): void
}

export interface FanoutSubscription {
  publishUpdate(update: Uint8Array): void
  publishAwareness(update: Uint8Array): void
  publishDeleted(): void
  /** Asks the other processes holding the document to publish their clients' presence again. */
  requestPresence(): void
  unsubscribe(): Promise<void>
}

export interface Fanout {
  /**
   * Starts receiving a document's messages. Resolves once subscribed, so that a document loaded
   * from storage afterwards misses nothing published in between.
   */
  subscribe(docId: string, handlers: FanoutHandlers): Promise<FanoutSubscription>
  /** Publishes a deletion of a document this process may not have open. */
  publishDeleted(docId: string): Promise<void>
  /** Publishes the revocation of one of the document's share links (`storage/shares.ts`). */
  publishShareRevoked(docId: string, shareId: string): Promise<void>
  /** Throws when the link to other processes is down; for health checks. */
  ping(): Promise<void>
  close(): Promise<void>
}
