import { createSecretKey } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { UnauthorizedError, type Actor } from '../../common/src/index.js';
import { AppConfig } from '../../config/src/index.js';
import { AUTHORIZATION_HINT } from './authorization-header.js';

export const JWT_STRATEGY = 'jwt';

/** The claims Parley puts in an access token (AuthService signs them). */
export interface AccessClaims {
  sub: string;
  username: string;
  staff: boolean;
  typ: 'access';
}

/** What a socket needs beyond the actor: when its token expires. */
export interface VerifiedAccessToken {
  actor: Actor;
  expiresAt: Date;
}

// `Bearer <token>`, and `JWT <token>` as Simple JWT's clients send it (issue #14): passport-jwt's own extractors.
const bearerToken = ExtractJwt.fromExtractors([ExtractJwt.fromAuthHeaderAsBearerToken(), ExtractJwt.fromAuthHeaderWithScheme('JWT')]);
const invalidToken = (): UnauthorizedError => new UnauthorizedError('invalid_token', 'The access token is invalid or expired.');

/**
 * `Authorization: Bearer <access JWT>` (or `JWT <access JWT>`), verified by passport-jwt (HS256 only, expiry enforced); `validate` turns the
 * claims into the actor the services take. The Socket.IO handshake runs its token through this same strategy
 * (ParleyPassport.verifyAccessToken).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY) {
  constructor(config: AppConfig) {
    super({
      jwtFromRequest: bearerToken,
      // A key object, not the string: given a string or a Buffer, jsonwebtoken first tries to read it as a public key
      // on every verify (and fails), which the benchmark found to cost a sixth of the server's CPU on REST requests.
      // passport-jwt hands it to jsonwebtoken as it is; its types only lack KeyObject.
      secretOrKey: createSecretKey(Buffer.from(config.jwt.secret, 'utf8')) as unknown as Buffer,
      algorithms: ['HS256'],
    });
  }

  /** The actor, and the claims as passport's `info` (the socket handshake reads `exp` from them). */
  validate(claims: AccessClaims & { exp?: unknown }): [Actor, AccessClaims & { exp: number }] {
    const id = Number(claims.sub);
    if (claims.typ !== 'access' || !Number.isSafeInteger(id) || id < 1 || typeof claims.exp !== 'number') throw invalidToken();
    return [{ id, username: claims.username, isStaff: claims.staff === true }, claims as AccessClaims & { exp: number }];
  }

  /** Why a request that no strategy accepted is refused: the 401 the contract's clients switch on. */
  static refusal(req: Request): UnauthorizedError {
    if (!req.headers.authorization) {
      return new UnauthorizedError('not_authenticated', `Authentication required: send ${AUTHORIZATION_HINT}.`);
    }
    if (!bearerToken(req)) return new UnauthorizedError('invalid_token', `Use ${AUTHORIZATION_HINT}.`);
    return invalidToken();
  }
}
