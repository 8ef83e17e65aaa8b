import { ApiProperty } from '@nestjs/swagger';
import { Required, TextRules } from '../../../common/src/index.js';

export class CredentialsDto {
  @ApiProperty({ example: 'davidjones', description: 'Username or email.' })
  @Required()
  @TextRules(254)
  username: string;

  @ApiProperty({ example: 'password' })
  @Required()
  @TextRules(1024)
  password: string;
}

export class RefreshDto {
  @ApiProperty({ example: 'k3Jx…', description: 'The refresh token from the last sign-in or refresh; each one works once.' })
  @Required()
  @TextRules(512)
  refresh: string;
}

export class TokenPairDto {
  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…', description: 'Access JWT (HS256), 15 minutes by default.' })
  access: string;

  @ApiProperty({ example: 'k3Jx…', description: 'Opaque refresh token, 7 days by default; rotates on every use.' })
  refresh: string;
}
