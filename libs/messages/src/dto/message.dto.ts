import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { applyDecorators } from '@nestjs/common';
import { IsInt, IsNotEmpty, IsOptional, IsString, Min } from 'class-validator';
import { InOrder, MaxCodePoints, mustBe, PageQueryDto, QueryInt, Required } from '../../../common/src/index.js';
import { UserDto } from '../../../users/src/dto/user.dto.js';
import { MESSAGE_TEXT_MAX } from '../message.entity.js';

export class MessageDto {
  @ApiProperty({ example: 42 })
  id: number;

  @ApiProperty({ example: 7 })
  threadId: number;

  @ApiProperty({ example: 3, description: '1, 2, 3 … within the thread, gapless, in send order.' })
  seq: number;

  @ApiProperty({ type: UserDto })
  sender: UserDto;

  @ApiProperty({ example: 'Hi David, are you free on Thursday?' })
  text: string;

  @ApiProperty({ example: '2026-11-22T09:30:00.000Z' })
  createdAt: string;

  @ApiProperty({ example: null, nullable: true, type: String, description: 'When its sender (or a moderator) last changed the text; null: never.' })
  editedAt: string | null;

  @ApiProperty({
    example: null,
    nullable: true,
    type: String,
    description: 'When it was deleted: it stays in its place (same id and seq) as a tombstone with text "". null: not deleted.',
  })
  deletedAt: string | null;

  @ApiProperty({ example: '0b6a3c52-6ef4-4a53-8d0b-1b2f3c4d5e6f', nullable: true, type: String })
  clientMessageId: string | null;

  @ApiProperty({ example: true, description: "The caller has read it (always true for the caller's own messages)." })
  readByMe: boolean;

  @ApiProperty({ example: false, description: 'Every participant other than the sender has read it.' })
  isRead: boolean;
}

/** The rules of a message's text, shared by REST bodies and socket payloads. */
export const MessageTextRules = (): PropertyDecorator =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value)),
    Required(),
    IsString(mustBe('a string')),
    IsNotEmpty({ message: 'text must not be empty' }),
    MaxCodePoints(MESSAGE_TEXT_MAX),
  );

/** The rules of a clientMessageId when one is given. */
export const ClientMessageIdRules = (): PropertyDecorator =>
  applyDecorators(
    IsString(mustBe('a string')),
    IsNotEmpty({ message: 'clientMessageId must be 1 to 64 characters' }),
    MaxCodePoints(64, { message: 'clientMessageId must be 1 to 64 characters' }),
  );

export class SendMessageDto {
  @ApiProperty({ example: 'Hi David, are you free on Thursday?', minLength: 1, maxLength: MESSAGE_TEXT_MAX, description: 'Trimmed; 1 to 4000 characters.' })
  @MessageTextRules()
  text: string;

  @ApiPropertyOptional({
    example: '0b6a3c52-6ef4-4a53-8d0b-1b2f3c4d5e6f',
    minLength: 1,
    maxLength: 64,
    description: 'Makes sending idempotent: the same value from the same sender returns the one stored message.',
  })
  @IsOptional()
  @ClientMessageIdRules()
  clientMessageId?: string;
}

export class EditMessageDto {
  @ApiProperty({
    example: 'Hi David, are you free on Friday?',
    minLength: 1,
    maxLength: MESSAGE_TEXT_MAX,
    description: 'The new text. Trimmed; 1 to 4000 characters.',
  })
  @MessageTextRules()
  text: string;
}

export class ListMessagesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 120, description: 'Only messages with seq > afterSeq, oldest first (catch-up after a reconnect).' })
  @IsOptional()
  @QueryInt()
  @InOrder(IsInt({ message: 'afterSeq must be a whole number' }), Min(0, { message: 'afterSeq must not be negative' }))
  afterSeq?: number;

  @ApiPropertyOptional({ example: 500, description: 'The `limit` messages right before this seq, still oldest first (scrolling up).' })
  @IsOptional()
  @QueryInt()
  @InOrder(IsInt({ message: 'beforeSeq must be a whole number' }), Min(1, { message: 'beforeSeq must be at least 1' }))
  beforeSeq?: number;
}

export class MessagePageDto {
  @ApiProperty({ example: 3 })
  count: number;

  @ApiProperty({ example: null, nullable: true, type: String })
  next: string | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  previous: string | null;

  @ApiProperty({ type: [MessageDto] })
  results: MessageDto[];
}

export const SEARCH_TEXT_MAX = 200;

export class SearchMessagesQueryDto extends PageQueryDto {
  @ApiProperty({
    example: 'thursday "lunch menu" -friday',
    minLength: 1,
    maxLength: SEARCH_TEXT_MAX,
    description: 'What a person types into a search box: words (all of them must occur), "quoted phrases", -excluded words. 1 to 200 characters.',
  })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @InOrder(
    Required(),
    IsString(mustBe('a string (given once)')),
    IsNotEmpty({ message: 'q is required: the words to search for' }),
    MaxCodePoints(SEARCH_TEXT_MAX),
  )
  q: string;

  @ApiPropertyOptional({ example: 7, description: 'Only messages of this thread (one you are in).' })
  @IsOptional()
  @QueryInt()
  @InOrder(IsInt({ message: 'threadId must be a whole number' }), Min(1, { message: 'threadId must be at least 1' }))
  threadId?: number;
}

export class MessageSearchResultDto extends MessageDto {
  @ApiProperty({
    example: 'Are you free on <mark>Thursday</mark>? &lt;3',
    description: 'The text as HTML: the matched words in <mark>…</mark>, everything else HTML-escaped (safe to insert as HTML).',
  })
  highlight: string;
}

export class MessageSearchPageDto {
  @ApiProperty({ example: 1, description: 'How many messages match in all.' })
  count: number;

  @ApiProperty({ example: null, nullable: true, type: String })
  next: string | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  previous: string | null;

  @ApiProperty({ type: [MessageSearchResultDto] })
  results: MessageSearchResultDto[];
}
