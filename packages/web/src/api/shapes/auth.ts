/** Shapes of /api/login, /api/logout and /api/session (auth/routes.ts). */
import { type Static, Type } from 'typebox';
import { DateTime, Text } from './common.js';

/** Body of POST /api/login. */
export const LoginBody = Type.Object(
  {
    // no control characters in a role name, no NUL in a password (a NUL would end a startup packet field)
    user: Type.String({ minLength: 1, maxLength: 63, pattern: '^[^\\u0000-\\u001f\\u007f]+$' }),
    password: Text({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

/** The session as the client sees it (login, GET /api/session). */
export const SessionView = Type.Object({
  user: Type.String(),
  role: Type.Union([Type.Literal('admin'), Type.Literal('user')]),
  csrfToken: Type.String({ description: 'send it as x-csrf-token on every mutating call' }),
  expiresAt: DateTime(),
});
export type SessionView = Static<typeof SessionView>;

/** Answer of POST /api/logout. */
export const LogoutAnswer = Type.Object({ loggedOut: Type.Boolean() });
