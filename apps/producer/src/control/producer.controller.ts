import { BadRequestException, Body, Controller, Get, HttpCode, Post, Put, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AppConfig } from '@reeltime/config';
import { ErrorBodyDto } from '@reeltime/observability';
import { ProducerService } from '../production/producer.service';
import { ControlAccessGuard } from './control-access.guard';
import { ProducerStatus } from './producer-status';
import { MIN_RATE, SetRateDto } from './set-rate.dto';

@ApiTags('producer')
@ApiBearerAuth()
@ApiBadRequestResponse({
  description: 'A malformed request (e.g. a header with control characters)',
  type: ErrorBodyDto,
})
@ApiUnauthorizedResponse({
  description: 'PRODUCER_CONTROL_TOKEN is set and the request has no bearer token',
  type: ErrorBodyDto,
})
@ApiForbiddenResponse({
  description: 'A wrong token; or, without PRODUCER_CONTROL_TOKEN, a request that is not from this machine',
  type: ErrorBodyDto,
})
@UseGuards(ControlAccessGuard)
@Controller('producer')
export class ProducerController {
  constructor(
    private readonly producer: ProducerService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: 'What the producer is doing: mode, rates, counts' })
  @ApiOkResponse({ type: ProducerStatus })
  status(): ProducerStatus {
    return this.producer.status();
  }

  @Post('start')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start generating ratings (no-op when running)' })
  @ApiOkResponse({ type: ProducerStatus })
  start(): ProducerStatus {
    return this.producer.start();
  }

  @Post('stop')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop generating; answers once what was generated is acknowledged (at most 10 s)' })
  @ApiOkResponse({ type: ProducerStatus })
  stop(): Promise<ProducerStatus> {
    return this.producer.stop();
  }

  @Put('rate')
  @ApiOperation({ summary: 'Set the target rate in ratings per second' })
  @ApiOkResponse({ type: ProducerStatus })
  @ApiBadRequestResponse({
    description: 'No number, or one outside 0.001–PRODUCER_MAX_RATE; `message` names the rule',
    type: ErrorBodyDto,
  })
  setRate(@Body() body: SetRateDto): ProducerStatus {
    const max = this.config.producer.maxRate;
    if (body.rate < MIN_RATE || body.rate > max) {
      throw new BadRequestException(`rate must be from ${MIN_RATE} to ${max} (PRODUCER_MAX_RATE)`);
    }
    return this.producer.setRate(body.rate);
  }
}
