import { Body, Controller, Delete, Get, Header, HttpCode, HttpStatus, Param, Patch, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiServiceUnavailableResponse,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import {
  ApiBodyTypes,
  CurrentUser,
  ErrorBodyDto,
  JSON_CONTENT_TYPE,
  ParseIdPipe,
  serializePageEnvelope,
  toPageEnvelope,
  type Actor,
  type PageEnvelope,
} from '../../common/src/index.js';
import { RateLimit } from '../../rate-limit/src/index.js';
import {
  EditMessageDto,
  ListMessagesQueryDto,
  MessageDto,
  MessagePageDto,
  MessageSearchPageDto,
  MessageSearchResultDto,
  SearchMessagesQueryDto,
  SendMessageDto,
} from './dto/message.dto.js';
import { MessagesService } from './messages.service.js';
import { SendAdmissionGuard } from './send-admission.guard.js';

@ApiTags('messages')
@ApiBearerAuth()
@ApiNotFoundResponse({ type: ErrorBodyDto, description: 'No such thread, or you are not a participant.' })
@Controller()
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Get('api/v1/threads/:id/messages')
  @ApiOperation({ summary: "A thread's messages, oldest first: limit/offset, afterSeq (catch-up), beforeSeq (scrolling up)." })
  @ApiOkResponse({ type: MessagePageDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto })
  @Header('Content-Type', JSON_CONTENT_TYPE)
  list(@CurrentUser() actor: Actor, @Param('id', ParseIdPipe) id: number, @Query() query: ListMessagesQueryDto, @Req() req: Request): Promise<string> {
    return this.page(actor, id, query, req);
  }

  @Get('api/v1/messages/search')
  @ApiOperation({
    summary: 'Search your messages: words, "quoted phrases" and -exclusions as in a web search, newest first, in the threads you are in.',
  })
  @ApiOkResponse({ type: MessageSearchPageDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: '`q` empty or longer than 200 characters, or a bad threadId, limit or offset.' })
  async search(@CurrentUser() actor: Actor, @Query() query: SearchMessagesQueryDto, @Req() req: Request): Promise<PageEnvelope<MessageSearchResultDto>> {
    return toPageEnvelope(req, await this.messages.search(actor, query));
  }

  @Get('history/:chatId')
  @ApiOperation({ summary: 'Alias of GET /api/v1/threads/{id}/messages/, kept for clients built against this path.' })
  @ApiOkResponse({ type: MessagePageDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto })
  @Header('Content-Type', JSON_CONTENT_TYPE)
  history(
    @CurrentUser() actor: Actor,
    @Param('chatId', ParseIdPipe) chatId: number,
    @Query() query: ListMessagesQueryDto,
    @Req() req: Request,
  ): Promise<string> {
    return this.page(actor, chatId, query, req);
  }

  @Post('api/v1/threads/:id/messages')
  @ApiBodyTypes()
  @ApiOperation({ summary: 'Send a message. With a clientMessageId already used by you, answers 200 with the one existing message.' })
  @ApiCreatedResponse({ type: MessageDto, description: 'Stored.' })
  @ApiOkResponse({ type: MessageDto, description: 'A retry: the message with this clientMessageId already exists.' })
  @ApiBadRequestResponse({ type: ErrorBodyDto })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'The clientMessageId was used for a message in another thread.' })
  @ApiTooManyRequestsResponse({ type: ErrorBodyDto, description: 'More messages per second than allowed (Retry-After says when to go on).' })
  @ApiServiceUnavailableResponse({
    type: ErrorBodyDto,
    description:
      'code `overloaded`: the server cannot take more messages without queuing them for long; nothing was stored, send it again with the same clientMessageId after Retry-After. code `database_unavailable`: the database cannot be reached.',
  })
  @RateLimit('messageSend')
  @UseGuards(SendAdmissionGuard)
  async send(
    @CurrentUser() actor: Actor,
    @Param('id', ParseIdPipe) id: number,
    @Body() body: SendMessageDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MessageDto> {
    const { message, created } = await this.messages.send(actor, id, body);
    res.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return message;
  }

  @Patch('api/v1/messages/:id')
  @ApiBodyTypes()
  @ApiOperation({ summary: 'Edit your message: a new text (same rules as sending); editedAt is set, seq, time and read state stay.' })
  @ApiOkResponse({ type: MessageDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: 'Empty or oversize text, a NUL character, an unknown field, or a bad id.' })
  @ApiForbiddenResponse({ type: ErrorBodyDto, description: 'code `not_message_sender`: only its sender can edit a message.' })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'code `message_not_found`: no such message in any of your threads.' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'code `message_deleted`: the message was deleted.' })
  @ApiTooManyRequestsResponse({ type: ErrorBodyDto, description: 'More message writes (sends, edits, deletes) per second than allowed.' })
  @RateLimit('messageSend')
  edit(@CurrentUser() actor: Actor, @Param('id', ParseIdPipe) id: number, @Body() body: EditMessageDto): Promise<MessageDto> {
    return this.messages.edit(actor, id, body);
  }

  @Delete('api/v1/messages/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete your message: it stays in its place as a tombstone (same id and seq, text "", deletedAt). Deleting it again is 204 too.' })
  @ApiNoContentResponse({ description: 'Deleted (or deleted already).' })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: 'A bad id.' })
  @ApiForbiddenResponse({ type: ErrorBodyDto, description: 'code `not_message_sender`: only its sender can delete a message.' })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'code `message_not_found`: no such message in any of your threads.' })
  @ApiTooManyRequestsResponse({ type: ErrorBodyDto, description: 'More message writes (sends, edits, deletes) per second than allowed.' })
  @RateLimit('messageSend')
  async delete(@CurrentUser() actor: Actor, @Param('id', ParseIdPipe) id: number): Promise<void> {
    await this.messages.delete(actor, id);
  }

  /** The page envelope as JSON text: the database serialized the messages. */
  private async page(actor: Actor, threadId: number, query: ListMessagesQueryDto, req: Request): Promise<string> {
    const { page, links } = await this.messages.list(actor, threadId, query);
    return serializePageEnvelope(req, page, links);
  }
}
