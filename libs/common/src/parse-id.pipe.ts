import { BadRequestException, Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';

const MAX_ID = 2_147_483_647;

/** Path ids are positive integers within the database's int range; anything else is a 400, never a 500. */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, number> {
  transform(value: string, metadata: ArgumentMetadata): number {
    const name = metadata.data ?? 'id';
    // Plain decimal only: no sign, exponent, fraction or leading zero ("1e3", "+1" and "01" are not ids).
    if (!/^[1-9][0-9]{0,9}$/.test(value)) {
      throw new BadRequestException({ message: `${name} must be a positive integer`, code: 'invalid_id' });
    }
    const id = Number(value);
    if (id > MAX_ID) {
      throw new BadRequestException({ message: `${name} must be a positive integer no larger than ${MAX_ID}`, code: 'invalid_id' });
    }
    return id;
  }
}
