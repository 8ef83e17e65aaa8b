import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { InOrder, mustBe, PageQueryDto } from '../../../common/src/index.js';

export class UserDto {
  @ApiProperty({ example: 2 })
  id: number;

  @ApiProperty({ example: 'jamessmith' })
  username: string;

  @ApiProperty({ example: 'James Smith' })
  displayName: string;

  @ApiProperty({ example: true, description: 'Connected right now (a socket open on any server instance).' })
  online: boolean;
}

export class MeDto extends UserDto {
  @ApiProperty({ example: false })
  isStaff: boolean;

  @ApiProperty({ example: 'james.smith@example.com', nullable: true, type: String })
  email: string | null;
}

export class ListUsersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Case-insensitive match on username or display name.', example: 'mary' })
  @IsOptional()
  @InOrder(IsString(mustBe('a string (given once)')), MaxLength(150, { message: 'search must be at most 150 characters' }))
  search?: string;
}

export class UserPageDto {
  @ApiProperty({ example: 5 })
  count: number;

  @ApiProperty({ example: null, nullable: true, type: String })
  next: string | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  previous: string | null;

  @ApiProperty({ type: [UserDto] })
  results: UserDto[];
}
