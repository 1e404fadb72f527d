import { Controller, Get, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { SystemService, SystemStatus } from './system.service';
import { ReadTokenGuard } from '../api/read-token.guard';
import { RestRateLimitGuard, TOO_MANY_REQUESTS } from '../api/rate-limit';

@ApiTags('operations')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'QUERY_READ_TOKEN is set and the request has no bearer token' })
@ApiForbiddenResponse({ description: 'A wrong read token' })
@ApiTooManyRequestsResponse(TOO_MANY_REQUESTS)
@UseGuards(RestRateLimitGuard, ReadTokenGuard)
@Controller('api/system')
export class SystemController {
  constructor(private readonly system: SystemService) {}

  @Get()
  @ApiOperation({ summary: 'ratings/s, the pipeline consumer lag and this instance’s cache figures' })
  status(): Promise<SystemStatus> {
    return this.system.status();
  }
}
