import { IsBoolean, IsInt, Max, Min } from 'class-validator';
import { ClientMessageIdRules, MessageTextRules } from '../../../messages/src/dto/message.dto.js';

const MAX_ID = 2_147_483_647;

/** Socket payloads use the same rules as the REST bodies they mirror. */
export class ThreadEventDto {
  @IsInt({ message: 'threadId must be a positive integer' })
  @Min(1, { message: 'threadId must be a positive integer' })
  @Max(MAX_ID, { message: 'threadId must be a positive integer' })
  threadId: number;
}

export class SendMessageEventDto extends ThreadEventDto {
  @MessageTextRules()
  text: string;

  // Required over the socket: a client that reconnects retries with it, and the server stores the message once.
  @ClientMessageIdRules()
  clientMessageId: string;
}

export class MessageMarkerEventDto extends ThreadEventDto {
  @IsInt({ message: 'messageId must be a positive integer' })
  @Min(1, { message: 'messageId must be a positive integer' })
  @Max(MAX_ID, { message: 'messageId must be a positive integer' })
  messageId: number;
}

export class TypingEventDto extends ThreadEventDto {
  @IsBoolean({ message: 'isTyping must be true or false' })
  isTyping: boolean;
}
