import { BadRequestException, Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';

const MAX_ID = 2_147_483_647;

/** Path ids are positive integers within the database's int range; anything else is a 400, never a 500. */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, number> {
  transform(value: string, metadata: ArgumentMetadata): number {
    const name = metadata.data ?? 'id';
    if (!/^[0-9]{1,10}$/.test(value)) {
      throw new BadRequestException(`${name} must be a positive integer`);
    }
    const id = Number(value);
    if (id < 1 || id > MAX_ID) {
      throw new BadRequestException(`${name} must be a positive integer no larger than ${MAX_ID}`);
    }
    return id;
  }
}
