import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SystemService, SystemStatus } from './system.service';

@ApiTags('operations')
@Controller('api/system')
export class SystemController {
  constructor(private readonly system: SystemService) {}

  @Get()
  @ApiOperation({ summary: 'ratings/s, the pipeline consumer lag and this instance’s cache figures' })
  status(): Promise<SystemStatus> {
    return this.system.status();
  }
}
