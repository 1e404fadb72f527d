import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SystemService, SystemStatus } from './system.service';
import { ReadTokenGuard } from '../api/read-token.guard';
import { RestRateLimitGuard } from '../api/rate-limit';
import { ApiReadAccess, SystemStatusDto } from '../api/openapi';

@ApiTags('operations')
@ApiReadAccess()
@UseGuards(RestRateLimitGuard, ReadTokenGuard)
@Controller('api/system')
export class SystemController {
  constructor(private readonly system: SystemService) {}

  @Get()
  @ApiOperation({ summary: 'ratings/s, the pipeline consumer lag and this instance’s cache figures' })
  @ApiOkResponse({ type: SystemStatusDto })
  status(): Promise<SystemStatus> {
    return this.system.status();
  }
}
