import type { UserRecord } from '../../common/src/index.js';
import { onlineSql } from '../../presence/src/presence.sql.js';
import type { MeDto, UserDto } from './dto/user.dto.js';

/** The user fields shown to other users; the one place a user becomes a UserDto. */
export function toUserDto(user: UserRecord): UserDto {
  return { id: user.id, username: user.username, displayName: user.displayName, online: user.online };
}

/** toUserDto in SQL, as compact JSON text, for the lists PostgreSQL serializes (see messageDtoJsonSql); `online` from the presence tables. */
export const userDtoJsonSql = (id: string, username: string, displayName: string): string =>
  `'{"id":' || ${id} || ',"username":' || to_json(${username}) || ',"displayName":' || to_json(${displayName}) || ',"online":' || (${onlineSql(id)})::text || '}'`;

export function toMeDto(user: UserRecord & { isStaff: boolean; email: string | null }): MeDto {
  return { ...toUserDto(user), isStaff: user.isStaff, email: user.email };
}
