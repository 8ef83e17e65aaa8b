import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IdRules } from '../../../common/src/index.js';

export class ReadStateDto {
  @ApiProperty({ example: 7 })
  threadId: number;

  @ApiProperty({ example: 12, description: 'You have read every message with seq <= lastReadSeq.' })
  lastReadSeq: number;

  @ApiProperty({ example: 0 })
  unreadCount: number;

  @ApiProperty({ example: 3, description: 'Unread messages over all your threads.' })
  totalUnread: number;
}

export class ReadThreadDto {
  @ApiPropertyOptional({ example: 42, description: 'Read up to this message of the thread; everything when omitted.' })
  @IsOptional()
  @IdRules()
  messageId?: number;
}

export class ThreadUnreadCountDto {
  @ApiProperty({ example: 7 })
  threadId: number;

  @ApiProperty({ example: 2 })
  unreadCount: number;
}

export class UnreadSummaryDto {
  @ApiProperty({ example: 3 })
  totalUnread: number;

  @ApiProperty({ type: [ThreadUnreadCountDto], description: 'Threads with unread messages only.' })
  threads: ThreadUnreadCountDto[];
}
