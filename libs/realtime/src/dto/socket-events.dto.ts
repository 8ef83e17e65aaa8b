import { IsBoolean } from 'class-validator';
import { IdRules, mustBe, Required } from '../../../common/src/index.js';
import { ClientMessageIdRules, MessageTextRules } from '../../../messages/src/dto/message.dto.js';

/** Socket payloads use the same rules as the REST bodies they mirror. */
export class ThreadEventDto {
  @Required()
  @IdRules()
  threadId: number;
}

export class SendMessageEventDto extends ThreadEventDto {
  @MessageTextRules()
  text: string;

  // Required over the socket: a client that reconnects retries with it, and the server stores the message once.
  @Required()
  @ClientMessageIdRules()
  clientMessageId: string;
}

export class MessageMarkerEventDto extends ThreadEventDto {
  @Required()
  @IdRules()
  messageId: number;
}

export class TypingEventDto extends ThreadEventDto {
  @Required()
  @IsBoolean(mustBe('true or false'))
  isTyping: boolean;
}

export class MessageEventDto {
  @Required()
  @IdRules()
  messageId: number;
}

export class EditMessageEventDto extends MessageEventDto {
  @MessageTextRules()
  text: string;
}
