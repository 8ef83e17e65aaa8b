import { Body, Controller, Delete, HttpCode, HttpStatus, Post, Req, Res } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiBodyTypes, ErrorBodyDto, Public } from '../../common/src/index.js';
import { RateLimit } from '../../rate-limit/src/index.js';
import { MeDto } from '../../users/src/dto/user.dto.js';
import { SESSION_COOKIE } from './web-session.strategy.js';
import { AuthService } from './auth.service.js';
import { CredentialsDto, RefreshDto, TokenPairDto } from './dto/auth.dto.js';

@ApiTags('auth')
@Controller('api')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('token')
  @HttpCode(HttpStatus.OK)
  @ApiBodyTypes()
  @ApiOperation({ summary: 'Sign in with username (or email) and password; returns an access JWT and a refresh token.' })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiUnauthorizedResponse({ type: ErrorBodyDto, description: 'Wrong username or password (the same answer for unknown users).' })
  @ApiTooManyRequestsResponse({ type: ErrorBodyDto, description: 'Too many attempts for this username or from this address; see Retry-After.' })
  @RateLimit('signIn')
  signIn(@Body() credentials: CredentialsDto): Promise<TokenPairDto> {
    return this.auth.signIn(credentials);
  }

  @Public()
  @Post('token/refresh')
  @HttpCode(HttpStatus.OK)
  @ApiBodyTypes()
  @ApiOperation({ summary: 'Exchange a refresh token for a new pair. Each refresh token works once; reusing one revokes its family.' })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiUnauthorizedResponse({ type: ErrorBodyDto })
  refresh(@Body() body: RefreshDto): Promise<TokenPairDto> {
    return this.auth.refresh(body.refresh);
  }

  @Public()
  @Post('session')
  @HttpCode(HttpStatus.OK)
  @ApiBodyTypes()
  @ApiOperation({ summary: 'Sign in the web inbox: sets an httpOnly, SameSite=Lax session cookie and returns the user.' })
  @ApiOkResponse({ type: MeDto })
  @ApiUnauthorizedResponse({ type: ErrorBodyDto })
  @ApiTooManyRequestsResponse({ type: ErrorBodyDto, description: 'Too many attempts for this username or from this address; see Retry-After.' })
  @RateLimit('signIn')
  async startSession(@Body() credentials: CredentialsDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<MeDto> {
    const grant = await this.auth.startWebSession(credentials);
    res.cookie(SESSION_COOKIE, grant.token, {
      httpOnly: true,
      sameSite: 'lax',
      // Secure whenever the request came over HTTPS (behind a proxy: with TRUST_PROXY set).
      secure: req.secure,
      path: '/',
      maxAge: grant.maxAgeSeconds * 1000,
    });
    return grant.user;
  }

  @Public()
  @Delete('session')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Sign out of the web inbox: ends the session and clears its cookie.' })
  @ApiNoContentResponse()
  async endSession(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.auth.endWebSession((req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE]);
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' });
  }
}
