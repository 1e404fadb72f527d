import { ApiProperty } from '@nestjs/swagger';

/** The body of every error answer of the REST and control APIs, for their OpenAPI documents. */
export class ErrorBodyDto {
  @ApiProperty({ type: 'integer', example: 400, description: 'the HTTP status, again' })
  statusCode!: number;

  @ApiProperty({ example: 'Bad Request', description: 'the status text' })
  error!: string;

  @ApiProperty({ example: 'limit must be from 1 to 1000', description: 'what went wrong, naming the field' })
  message!: string;
}
