import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentUser, toPageEnvelope, type Actor, type PageEnvelope } from '../../common/src/index.js';
import { ListUsersQueryDto, MeDto, UserPageDto, type UserDto } from './dto/user.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@ApiBearerAuth()
@Controller('api/v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'Every other user, by username; `search` matches username or display name.' })
  @ApiOkResponse({ type: UserPageDto })
  async list(@CurrentUser() actor: Actor, @Query() query: ListUsersQueryDto, @Req() req: Request): Promise<PageEnvelope<UserDto>> {
    return toPageEnvelope(req, await this.users.listOthers(actor, query));
  }

  @Get('me')
  @ApiOperation({ summary: 'The signed-in user.' })
  @ApiOkResponse({ type: MeDto })
  me(@CurrentUser() actor: Actor): Promise<MeDto> {
    return this.users.getMe(actor);
  }
}
