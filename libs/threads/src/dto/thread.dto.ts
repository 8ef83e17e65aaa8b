import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { FormValue, IdRules, InOrder, MAX_ID, MaxCodePoints, mustBe, Required } from '../../../common/src/index.js';
import { MessageDto } from '../../../messages/src/dto/message.dto.js';
import { UserDto } from '../../../users/src/dto/user.dto.js';

export const MAX_GROUP_SIZE = 1000;
const EACH_ID = { each: true, message: 'participants must contain positive integer user ids' } as const;

export class CreateThreadDto {
  @ApiProperty({ type: [Number], example: [2], description: 'User ids; you are always a participant (listing yourself is allowed).' })
  @Required()
  @InOrder(
    IsArray(mustBe('a list of user ids')),
    ArrayMinSize(1, { message: 'participants must name at least one user' }),
    ArrayMaxSize(MAX_GROUP_SIZE, { message: `participants may name at most ${MAX_GROUP_SIZE} users` }),
    IsInt(EACH_ID),
    Min(1, EACH_ID),
    Max(MAX_ID, EACH_ID),
    // A form repeats the field for each id (participants=2&participants=3).
    FormValue('number-list'),
  )
  participants: number[];

  @ApiPropertyOptional({ enum: ['direct', 'group'], description: 'Default: direct for two people in total, group for more.' })
  @IsOptional()
  @IsIn(['direct', 'group'], { message: 'type must be "direct" or "group"' })
  type?: 'direct' | 'group';

  @ApiPropertyOptional({
    example: 'Hiring team',
    maxLength: 200,
    nullable: true,
    type: String,
    description: 'Groups only, and optional there: left out or null, the group is untitled and clients name it by its members.',
  })
  @IsOptional()
  @InOrder(IsString(mustBe('a string or null')), MinLength(1, { message: 'title must not be empty' }), MaxCodePoints(200))
  title?: string | null;
}

export class AddParticipantDto {
  @ApiProperty({ example: 5 })
  @Required()
  @IdRules()
  userId: number;
}

export class ThreadDto {
  @ApiProperty({ example: 7 })
  id: number;

  @ApiProperty({ enum: ['direct', 'group'], example: 'direct' })
  type: 'direct' | 'group';

  @ApiProperty({
    example: null,
    nullable: true,
    type: String,
    description: "The group's title; null for direct threads and untitled groups (name those by their participants).",
  })
  title: string | null;

  @ApiProperty({ type: [UserDto] })
  participants: UserDto[];

  @ApiProperty({ example: 1, nullable: true, type: Number, description: 'Id of the user who created the thread.' })
  createdBy: number | null;

  @ApiProperty({ example: 1, nullable: true, type: Number, description: 'Id of the group owner (null for direct threads).' })
  ownerId: number | null;

  @ApiProperty({ example: '2026-11-22T09:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ example: '2026-11-22T09:30:00.000Z', description: 'Last activity: a message or a membership change.' })
  updatedAt: string;

  @ApiProperty({ type: MessageDto, nullable: true })
  lastMessage: MessageDto | null;

  @ApiProperty({ example: 2 })
  unreadCount: number;
}

export class ThreadPageDto {
  @ApiProperty({ example: 3 })
  count: number;

  @ApiProperty({ example: null, nullable: true, type: String })
  next: string | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  previous: string | null;

  @ApiProperty({ type: [ThreadDto] })
  results: ThreadDto[];
}
