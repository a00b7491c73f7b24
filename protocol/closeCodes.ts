/**
 * Close codes tandem's sync endpoint uses, shared with the web app.
 *
 * Stock y-websocket clients reconnect after every close except 4400–4499, so codes in that
 * range mean "do not come back" and everything else means "come back soon".
 */
export const CloseCode = {
  /** The server is going down or the peer stopped answering pings; reconnect. */
  goingAway: 1001,
  /** Too many messages or connections; reconnect later. */
  policyViolation: 1008,
  /** A message larger than `MAX_PAYLOAD_BYTES`, refused by the socket layer from its frame header. */
  messageTooBig: 1009,
  /** The server could not store an update; nothing was accepted; reconnect. */
  internalError: 1011,
  /** Graceful restart (SIGTERM); reconnect. */
  serviceRestart: 1012,
  /** Held-aside updates exceeded their cap, or the socket could not keep up; reconnect. */
  tryAgainLater: 1013,
  /** The client sent something that is not a valid message or update. */
  badMessage: 4400,
  /** No valid token. */
  unauthorized: 4401,
  /** The token does not allow this (e.g. a view token sent an edit). */
  forbidden: 4403,
  /** The document does not exist or was deleted. */
  notFound: 4404,
  /** The share link this socket came through was revoked (`/ws/s/:shareId`). */
  shareRevoked: 4410,
  /** The document reached its size quota. */
  documentTooLarge: 4413,
} as const
