import { Module } from '@nestjs/common';
import { DashboardController } from './dashboard.controller';

/** The dashboard page at / and its assets. */
@Module({ controllers: [DashboardController] })
export class DashboardModule {}
