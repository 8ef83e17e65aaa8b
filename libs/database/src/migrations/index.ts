import { Init1795306754050 } from './1795306754050-Init.js';
import { AdminSessions1795310026105 } from './1795310026105-AdminSessions.js';
import { DropParticipantsMarkerIndex1795321164546 } from './1795321164546-DropParticipantsMarkerIndex.js';
import { MessageSearch1796653888181 } from './1796653888181-MessageSearch.js';
import { OptionalGroupTitle1796657901444 } from './1796657901444-OptionalGroupTitle.js';
import { Presence1796690550679 } from './1796690550679-Presence.js';
import { MessageEdits1796700000000 } from './1796700000000-MessageEdits.js';

/** Listed explicitly (no glob), so the same list works from sources, the build and the tests. */
export const MIGRATIONS = [
  Init1795306754050,
  AdminSessions1795310026105,
  DropParticipantsMarkerIndex1795321164546,
  MessageSearch1796653888181,
  OptionalGroupTitle1796657901444,
  Presence1796690550679,
  MessageEdits1796700000000,
];
