import { Body, Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ProducerService } from '../production/producer.service';
import { ProducerStatus } from './producer-status';
import { SetRateDto } from './set-rate.dto';

@ApiTags('producer')
@Controller('producer')
export class ProducerController {
  constructor(private readonly producer: ProducerService) {}

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
  @ApiBadRequestResponse({ description: '{statusCode, error, message} naming the bad field' })
  setRate(@Body() body: SetRateDto): ProducerStatus {
    return this.producer.setRate(body.rate);
  }
}
