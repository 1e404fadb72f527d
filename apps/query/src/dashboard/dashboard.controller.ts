import { Controller, Get, Header, Logger, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findChartJs, findPublicDir, findSocketIoClient } from './assets';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * The dashboard, served by the service itself (no CDN: it works offline). Only files that exist in
 * public/ at start-up are served, by exact name, so no path from a request reaches the file system.
 */
@ApiExcludeController()
@Controller()
export class DashboardController {
  private readonly dir = findPublicDir();
  private readonly files = new Set(readdirSync(this.dir));
  private readonly chartJs = findChartJs();
  private readonly socketIoClient = findSocketIoClient();

  constructor() {
    // app.js is bundled from apps/query/dashboard/src by `npm run build` (build:dashboard), not committed.
    if (!this.files.has('app.js')) {
      new Logger(DashboardController.name).error(
        `${join(this.dir, 'app.js')} is missing: run npm run build:dashboard (npm run build does) — the page will not work`,
      );
    }
  }

  @Get()
  index(@Res() res: Response): void {
    this.send(res, join(this.dir, 'index.html'), '.html');
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() res: Response): void {
    const ext = /\.[a-z]+$/.exec(file)?.[0] ?? '';
    if (!this.files.has(file) || !TYPES[ext] || file === 'index.html') throw new NotFoundException(`no asset ${file}`);
    this.send(res, join(this.dir, file), ext);
  }

  @Get('vendor/chart.umd.js')
  @Header('Cache-Control', 'public, max-age=86400')
  chart(@Res() res: Response): void {
    this.send(res, this.chartJs, '.js');
  }

  @Get('vendor/socket.io.min.js')
  @Header('Cache-Control', 'public, max-age=86400')
  socketIo(@Res() res: Response): void {
    this.send(res, this.socketIoClient, '.js');
  }

  private send(res: Response, file: string, ext: string): void {
    res.type(TYPES[ext]).sendFile(file);
  }
}
