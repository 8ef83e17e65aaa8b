import { Body, Controller, Delete, Get, Header, HttpCode, HttpStatus, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import {
  ApiBodyTypes,
  CurrentUser,
  ErrorBodyDto,
  JSON_CONTENT_TYPE,
  PageQueryDto,
  ParseIdPipe,
  serializePageEnvelope,
  type Actor,
} from '../../common/src/index.js';
import { AddParticipantDto, CreateThreadDto, ThreadDto, ThreadPageDto } from './dto/thread.dto.js';
import { ThreadsService } from './threads.service.js';

@ApiTags('threads')
@ApiBearerAuth()
@ApiNotFoundResponse({ type: ErrorBodyDto, description: 'No such thread, or you are not a participant (the two are indistinguishable).' })
@Controller('api/v1/threads')
export class ThreadsController {
  constructor(private readonly threads: ThreadsService) {}

  @Get()
  @ApiOperation({ summary: 'Your threads, most recently active first.' })
  @ApiOkResponse({ type: ThreadPageDto })
  @Header('Content-Type', JSON_CONTENT_TYPE)
  async list(@CurrentUser() actor: Actor, @Query() query: PageQueryDto, @Req() req: Request): Promise<string> {
    return serializePageEnvelope(req, await this.threads.list(actor, query));
  }

  @Post()
  @ApiBodyTypes()
  @ApiOperation({
    summary: 'Create a direct thread (two people) or a group (more, titled or not). An existing direct thread is returned with 200.',
  })
  @ApiCreatedResponse({ type: ThreadDto, description: 'A new thread.' })
  @ApiOkResponse({ type: ThreadDto, description: 'The direct thread between the two already existed.' })
  @ApiBadRequestResponse({ type: ErrorBodyDto })
  async create(@CurrentUser() actor: Actor, @Body() body: CreateThreadDto, @Res({ passthrough: true }) res: Response): Promise<ThreadDto> {
    const { thread, created } = await this.threads.create(actor, body);
    res.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return thread;
  }

  @Get(':id')
  @ApiOperation({ summary: 'One thread.' })
  @ApiOkResponse({ type: ThreadDto })
  get(@CurrentUser() actor: Actor, @Param('id', ParseIdPipe) id: number): Promise<ThreadDto> {
    return this.threads.get(actor, id);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a thread and its messages: either participant of a direct thread, the owner of a group.' })
  @ApiNoContentResponse()
  @ApiForbiddenResponse({ type: ErrorBodyDto, description: 'A group member who is not its owner.' })
  delete(@CurrentUser() actor: Actor, @Param('id', ParseIdPipe) id: number): Promise<void> {
    return this.threads.delete(actor, id);
  }

  @Post(':id/participants')
  @ApiBodyTypes()
  @ApiOperation({ summary: 'Add a member to a group (owner only). Already a member: 200.' })
  @ApiCreatedResponse({ type: ThreadDto })
  @ApiOkResponse({ type: ThreadDto, description: 'The user was already a member.' })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: 'A direct thread, or an unknown user.' })
  @ApiForbiddenResponse({ type: ErrorBodyDto })
  async addParticipant(
    @CurrentUser() actor: Actor,
    @Param('id', ParseIdPipe) id: number,
    @Body() body: AddParticipantDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ThreadDto> {
    const { thread, added } = await this.threads.addParticipant(actor, id, body.userId);
    res.status(added ? HttpStatus.CREATED : HttpStatus.OK);
    return thread;
  }

  @Delete(':id/participants/:userId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Remove a member (owner), or leave (yourself). An owner who leaves hands the group to the longest-standing member.' })
  @ApiNoContentResponse()
  @ApiBadRequestResponse({ type: ErrorBodyDto })
  @ApiForbiddenResponse({ type: ErrorBodyDto })
  removeParticipant(@CurrentUser() actor: Actor, @Param('id', ParseIdPipe) id: number, @Param('userId', ParseIdPipe) userId: number): Promise<void> {
    return this.threads.removeParticipant(actor, id, userId);
  }
}
