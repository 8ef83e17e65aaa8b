import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiBodyTypes, CurrentUser, ErrorBodyDto, ParseIdPipe, type Actor } from '../../common/src/index.js';
import { ReadStateDto, ReadThreadDto, ThreadUnreadCountDto, UnreadSummaryDto } from './dto/read-state.dto.js';
import { ReadStatusService } from './read-status.service.js';

@ApiTags('read state')
@ApiBearerAuth()
@Controller('api/v1')
export class ReadStatusController {
  constructor(private readonly readStatus: ReadStatusService) {}

  @Post('messages/:id/read')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Mark read up to this message (the marker only moves forward).' })
  @ApiOkResponse({ type: ReadStateDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'No such message in any of your threads.' })
  markRead(@CurrentUser() actor: Actor, @Param('id', ParseIdPipe) id: number): Promise<ReadStateDto> {
    return this.readStatus.markRead(actor, id);
  }

  @Post('messages/:id/unread')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Mark this message and every later one unread for you.' })
  @ApiOkResponse({ type: ReadStateDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'No such message in any of your threads.' })
  markUnread(@CurrentUser() actor: Actor, @Param('id', ParseIdPipe) id: number): Promise<ReadStateDto> {
    return this.readStatus.markUnread(actor, id);
  }

  @Post('threads/:id/read')
  @HttpCode(HttpStatus.OK)
  @ApiBodyTypes()
  @ApiOperation({ summary: 'Read the thread up to `messageId`, or entirely.' })
  @ApiOkResponse({ type: ReadStateDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'No such thread (or you are not in it), or the message is not in this thread.' })
  readThread(@CurrentUser() actor: Actor, @Param('id', ParseIdPipe) id: number, @Body() body: ReadThreadDto): Promise<ReadStateDto> {
    return this.readStatus.readThread(actor, id, body.messageId);
  }

  @Get('threads/:id/messages/unread_count')
  @ApiOperation({ summary: 'Your unread messages in one thread.' })
  @ApiOkResponse({ type: ThreadUnreadCountDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  threadUnreadCount(@CurrentUser() actor: Actor, @Param('id', ParseIdPipe) id: number): Promise<ThreadUnreadCountDto> {
    return this.readStatus.threadUnreadCount(actor, id);
  }

  @Get('unread_count')
  @ApiOperation({ summary: 'Your unread messages in total and per thread (threads with unread only).' })
  @ApiOkResponse({ type: UnreadSummaryDto })
  unreadSummary(@CurrentUser() actor: Actor): Promise<UnreadSummaryDto> {
    return this.readStatus.unreadSummary(actor);
  }
}
