/**
 * SQL: whether the user `userId` (an SQL expression) has a socket connected to an instance whose heartbeat is
 * current. One probe of user_presence's key (it leads with user_id) and one of presence_instances' per user, so it
 * can sit in any statement that lists users, once per row, without a query per user. An instance that stopped
 * without clearing its rows stops counting when its heartbeat expires (expires_at), whether or not anyone pruned it.
 */
export const onlineSql = (userId: string): string =>
  `EXISTS (SELECT 1 FROM user_presence presence JOIN presence_instances live ON live.instance_id = presence.instance_id
            WHERE presence.user_id = ${userId} AND live.expires_at > now())`;
