import type { MeDto, UserDto } from './dto/user.dto.js';

/** The user fields shown to other users; the one place a user becomes a UserDto. */
export function toUserDto(user: { id: number; username: string; displayName: string }): UserDto {
  return { id: user.id, username: user.username, displayName: user.displayName };
}

/** toUserDto in SQL, as compact JSON text, for the lists PostgreSQL serializes (see messageDtoJsonSql). */
export const userDtoJsonSql = (id: string, username: string, displayName: string): string =>
  `'{"id":' || ${id} || ',"username":' || to_json(${username}) || ',"displayName":' || to_json(${displayName}) || '}'`;

export function toMeDto(user: { id: number; username: string; displayName: string; isStaff: boolean; email: string | null }): MeDto {
  return { ...toUserDto(user), isStaff: user.isStaff, email: user.email };
}
