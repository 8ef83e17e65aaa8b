import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

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
  @IsInt({ message: 'messageId must be a positive integer' })
  @Min(1, { message: 'messageId must be a positive integer' })
  @Max(2_147_483_647, { message: 'messageId must be a positive integer' })
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
