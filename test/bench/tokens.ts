import { JwtService } from '@nestjs/jwt';

/**
 * Access tokens for thousands of sockets without thousands of scrypt sign-ins: signed with the server's JWT_SECRET,
 * with the claims and algorithm AuthService.issueTokens uses (libs/auth), so the server verifies them like its own.
 */
export class TokenMinter {
  private readonly jwt: JwtService;

  constructor(secret: string, ttlSeconds: number) {
    this.jwt = new JwtService({ secret, signOptions: { algorithm: 'HS256', expiresIn: ttlSeconds } });
  }

  mint(user: { id: number; username: string }): string {
    return this.jwt.sign({ sub: String(user.id), username: user.username, staff: false, typ: 'access' });
  }
}
